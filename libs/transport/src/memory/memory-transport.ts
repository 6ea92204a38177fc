import type { TransportOptions } from '../transport.js';
import type { Carrier } from '../engine/carrier.js';
import { cborFormat, objectFormat } from '../engine/frame-format.js';
import { TransportEngine } from '../engine/transport-engine.js';
import { MemoryCarrier } from './memory-carrier.js';
import type { MemoryNetwork } from './memory-network.js';

export interface MemoryTransportOptions extends TransportOptions {
  /** The network to attach to (addresses are `memory://<name>/<incarnation>`). */
  readonly network: MemoryNetwork;
  /**
   * Force every frame through FrameCodec (encode at send, decode at receipt), as ZmqTransport
   * does: send() then throws NotSendableError for values that cannot travel. Default false
   * (frame objects are handed over as they are).
   */
  readonly encode?: boolean;
}

/**
 * A Transport over a MemoryNetwork, for tests: the same engine as ZmqTransport (handshake with
 * the cookie digest, epochs, ticks, batching, backpressure), with in-memory links instead of
 * ZeroMQ sockets. Delivery is asynchronous and in order per connection. When no resolver is given,
 * peers resolve to the latest node attached under that name on the same network (so
 * `learnAddress` changes nothing); with `resolver: new StaticResolver()` a node resolves only what
 * it was configured with, learnt from handshakes or was told with `learnAddress`, as on a real
 * network where nobody knows every address.
 */
export class MemoryTransport extends TransportEngine {
  protected readonly carrier: Carrier;
  readonly network: MemoryNetwork;

  constructor(options: MemoryTransportOptions) {
    super(
      { ...options, resolver: options.resolver ?? { resolve: (name) => options.network.addressOf(name), learn: () => {} } },
      options.encode === true ? cborFormat : objectFormat,
    );
    this.network = options.network;
    this.carrier = new MemoryCarrier(options.network, options.name, this, {
      onKilled: () => this.halt(),
      onFrozen: (frozen) => this.suspendTimers(frozen),
    });
  }
}
