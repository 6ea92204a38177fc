import { peerProcessSuite } from '../testing/peer-process.test-util.js';
import { ZmqTransport } from './zmq-transport.js';

// A small send high-water mark so that the overload case fills sdnode's own queue, not libzmq's.
peerProcessSuite('ZmqTransport', (options) => new ZmqTransport({ ...options, sendHighWaterMark: 4 }), { childCarrier: 'zmq' });
