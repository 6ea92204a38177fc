export type {
  Transport,
  TransportOptions,
  TransportEvents,
  TransportStats,
  TransportLogger,
  PeerInfo,
  DisconnectReason,
  NodeResolver,
  ConnectOptions,
} from './transport.js';
export { StaticResolver } from './static-resolver.js';
export { MemoryNetwork } from './memory/memory-network.js';
export { MemoryTransport, type MemoryTransportOptions } from './memory/memory-transport.js';
export { challengeDigest } from './handshake-digest.js';
export { ZmqTransport, type ZmqTransportOptions } from './zmq/zmq-transport.js';
export type { CurveKeys } from './zmq/zmq-carrier.js';
