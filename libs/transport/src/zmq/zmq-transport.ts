import { InvalidArgumentError } from '@sdnode/wire';
import type { TransportOptions } from '../transport.js';
import type { Carrier } from '../engine/carrier.js';
import { DEFAULT_MAX_BATCH_BYTES } from '../engine/engine-options.js';
import { cborFormat } from '../engine/frame-format.js';
import { TransportEngine } from '../engine/transport-engine.js';
import { ZmqCarrier, type CurveKeys } from './zmq-carrier.js';
import { checkCurveKeys } from './curve-keys.js';

export interface ZmqTransportOptions extends TransportOptions {
  /** Endpoint to bind the Router to (default `tcp://127.0.0.1:0`: loopback, a port from the OS). */
  readonly listen?: string;
  /** Address to advertise to peers (default: the bound endpoint; required for wildcard binds). */
  readonly advertise?: string;
  /** Encrypt with CurveZMQ using this cluster-wide keypair (every node must have it). */
  readonly curve?: CurveKeys;
  /** Largest batch (ZeroMQ message) this node sends (default 256 KiB, at most maxMessageBytes). */
  readonly maxBatchBytes?: number;
  /**
   * Off by default. When set (ms), a liveness thread (a worker_thread with a UDP socket at the
   * listen host, port number of the TCP listen port) vouches for this node to its peers while its
   * event loop is blocked, for at most this long, so that a merely busy node is not declared down;
   * peers that run one too keep a silent peer up while it vouches. docs/protocols/handshake.md, "Ticks".
   */
  readonly maxUnresponsive?: number;
  /** ZeroMQ send high-water mark per peer, in messages (default: 16 MiB worth of full batches). */
  readonly sendHighWaterMark?: number;
}

/**
 * The production Transport: ZeroMQ over TCP (docs/protocols/handshake.md). One Router bound at
 * `listen` receives every peer's stream; one Dealer per peer carries ours. CBOR frames, batched per
 * macrotask; the cookie handshake, ticks, epochs and backpressure of the shared engine.
 */
export class ZmqTransport extends TransportEngine {
  protected readonly carrier: Carrier;

  constructor(options: ZmqTransportOptions) {
    super(
      options,
      cborFormat,
      options.maxBatchBytes,
      options.maxUnresponsive === undefined ? undefined : { maxUnresponsive: options.maxUnresponsive, listen: options.listen ?? 'tcp://127.0.0.1:0' },
    );
    const batch = this.limits.maxBatchBytes;
    const hwm = options.sendHighWaterMark ?? Math.max(8, Math.ceil((16 * 1024 * 1024) / (batch || DEFAULT_MAX_BATCH_BYTES)));
    if (!Number.isInteger(hwm) || hwm <= 0) throw new InvalidArgumentError('sendHighWaterMark', 'must be a positive integer');
    if (options.curve !== undefined) checkCurveKeys(options.curve);
    this.carrier = new ZmqCarrier(
      {
        listen: options.listen ?? 'tcp://127.0.0.1:0',
        ...(options.advertise === undefined ? {} : { advertise: options.advertise }),
        ...(options.curve === undefined ? {} : { curve: options.curve }),
        // libzmq's own cut-off (it disconnects the sender): above our limit, so that messages
        // between the two are seen, counted and dropped by the transport.
        hardMessageLimit: this.limits.maxMessageBytes * 2 + 1024,
        sendHighWaterMark: hwm,
        logger: this.logger,
      },
      this,
    );
  }
}
