import { NetTransport, ZmqTransport, type CarrierName, type NetTransportOptions, type PeerInfo, type Transport } from '@sdnode/transport';
import type { DistFrame } from '@sdnode/wire';

/** Frames received by one node, by kind, and control frames by channel (since the node started). */
export interface FrameCounts {
  /** Distribution frames by kind (`send`, `spawn_request`, `control`, `nodes`...). */
  readonly byKind: Record<string, number>;
  /** Control frames by channel (`sdnode.registry`, `sdnode.sgroups`, `sdnode.placement`...). */
  readonly byChannel: Record<string, number>;
}

/**
 * The transport of a multi-mode node: a production transport on the node's carrier (the runtime's
 * default, `net`, unless the cluster file or the harness's multi options name `zmq`), plus what a
 * node sharing its OS process with others needs from the harness:
 * - `kill()`: drop every connection and attempt without a word (no nodedown here, no frame out)
 *   and close the sockets, so peers see the node vanish (nodedown `peer_closed`), as they would
 *   after SIGKILL of a node process;
 * - counts of the distribution frames it receives, by kind and control channel (the control
 *   traffic of the scale benchmark; TransportStats only counts frames in total).
 */
export interface KillableTransport extends Transport {
  /** As if the process died: no event, no frame; the sockets close. Idempotent. */
  kill(): Promise<void>;
  readonly isKilled: boolean;
  frameCounts(): FrameCounts;
  /** The carrier it runs on. */
  readonly carrierName: CarrierName;
}

/** Counts a transport's received frames; made before the node starts, so it sees every frame. */
class FrameCounter {
  private readonly kinds: Record<string, number> = {};
  private readonly channels: Record<string, number> = {};

  constructor(transport: Transport) {
    transport.on('frame', (_peer: PeerInfo, frame: DistFrame) => {
      this.kinds[frame.kind] = (this.kinds[frame.kind] ?? 0) + 1;
      if (frame.kind === 'control') this.channels[frame.channel] = (this.channels[frame.channel] ?? 0) + 1;
    });
  }

  counts(): FrameCounts {
    return { byKind: { ...this.kinds }, byChannel: { ...this.channels } };
  }
}

/** Stop the engine without a word (no nodedown here, no frame out), then close the carrier's sockets. */
async function haltThenClose(halt: () => void, close: () => Promise<void>): Promise<void> {
  halt();
  await close();
}

class KillableNetTransport extends NetTransport implements KillableTransport {
  readonly carrierName = 'net';
  private readonly counter = new FrameCounter(this);
  private killed: Promise<void> | null = null;

  kill(): Promise<void> {
    return (this.killed ??= haltThenClose(() => this.halt(), () => this.carrier.close()));
  }

  get isKilled(): boolean {
    return this.killed !== null;
  }

  frameCounts(): FrameCounts {
    return this.counter.counts();
  }
}

class KillableZmqTransport extends ZmqTransport implements KillableTransport {
  readonly carrierName = 'zmq';
  private readonly counter = new FrameCounter(this);
  private killed: Promise<void> | null = null;

  /** As KillableNetTransport's; libzmq closes the sockets with linger 0. */
  kill(): Promise<void> {
    return (this.killed ??= haltThenClose(() => this.halt(), () => this.carrier.close()));
  }

  get isKilled(): boolean {
    return this.killed !== null;
  }

  frameCounts(): FrameCounts {
    return this.counter.counts();
  }
}

/** The multi-mode transport on `carrier` (its options are those both carriers take). */
export function killableTransport(carrier: CarrierName, options: NetTransportOptions): KillableTransport {
  return carrier === 'zmq' ? new KillableZmqTransport(options) : new KillableNetTransport(options);
}
