import { InvalidArgumentError } from '@sdnode/wire';
import type { TransportOptions } from '../transport.js';
import type { Carrier } from '../engine/carrier.js';
import { cborFormat } from '../engine/frame-format.js';
import { TransportEngine } from '../engine/transport-engine.js';
import { NetCarrier } from './net-carrier.js';

export interface NetTransportOptions extends TransportOptions {
  /** Endpoint to listen on (default `tcp://127.0.0.1:0`: loopback, a port from the OS). */
  readonly listen?: string;
  /** Address to advertise to peers (default: the bound endpoint; required for wildcard binds). */
  readonly advertise?: string;
  /** Largest batch (ZMTP message) this node sends (default 256 KiB, at most maxMessageBytes). */
  readonly maxBatchBytes?: number;
  /**
   * Off by default. When set (ms), a liveness thread (a worker_thread with a UDP socket at the
   * listen host, port number of the TCP listen port) vouches for this node to its peers while its
   * event loop is blocked, for at most this long, so that a merely busy node is not declared down;
   * peers that run one too keep a silent peer up while it vouches. docs/protocols/handshake.md, "Ticks".
   */
  readonly maxUnresponsive?: number;
}

/**
 * The Transport over ZMTP 3.x spoken by this process itself on `node:net` sockets (the "net"
 * carrier; src/zmtp). Same engine as ZmqTransport (cookie handshake, epochs, ticks, batching,
 * backpressure, outbound delay) and the same bytes on the wire: a NetTransport and a ZmqTransport
 * connect to each other. What differs is where the socket I/O runs: here on the event loop, with
 * no hand-off to and from libzmq's I/O thread, which is most of a small round trip's cost with
 * zeromq.js (docs/architecture.md, "Transport"). No CurveZMQ: see ZmtpConnection for why; a
 * `curve` option is refused rather than ignored.
 */
export class NetTransport extends TransportEngine {
  protected readonly carrier: Carrier;

  constructor(options: NetTransportOptions) {
    super(
      options,
      cborFormat,
      options.maxBatchBytes,
      options.maxUnresponsive === undefined ? undefined : { maxUnresponsive: options.maxUnresponsive, listen: options.listen ?? 'tcp://127.0.0.1:0' },
    );
    if ((options as { curve?: unknown }).curve !== undefined) {
      throw new InvalidArgumentError('curve', 'the net carrier speaks ZMTP without CURVE encryption: use the zmq carrier (ZmqTransport) for curve');
    }
    this.carrier = new NetCarrier(
      {
        listen: options.listen ?? 'tcp://127.0.0.1:0',
        ...(options.advertise === undefined ? {} : { advertise: options.advertise }),
        // As with the zmq carrier: messages between maxMessageBytes and this are received, counted
        // and dropped by the engine; above it the sender's connection is cut.
        hardMessageLimit: this.limits.maxMessageBytes * 2 + 1024,
        handshakeTimeout: this.limits.handshakeTimeout,
        logger: this.logger,
      },
      this,
    );
  }
}
