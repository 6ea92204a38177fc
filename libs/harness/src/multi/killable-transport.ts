import { ZmqTransport, type PeerInfo } from '@sdnode/transport';
import type { DistFrame } from '@sdnode/wire';

/** Frames received by one node, by kind, and control frames by channel (since the node started). */
export interface FrameCounts {
  /** Distribution frames by kind (`send`, `spawn_request`, `control`, `nodes`...). */
  readonly byKind: Record<string, number>;
  /** Control frames by channel (`sdnode.registry`, `sdnode.sgroups`, `sdnode.placement`...). */
  readonly byChannel: Record<string, number>;
}

/**
 * The ZeroMQ transport of a multi-mode node: the production ZmqTransport, plus what a node
 * sharing its OS process with others needs from the harness:
 * - `kill()`: drop every connection and attempt without a word (no nodedown here, no frame out)
 *   and close the sockets, so peers see the node vanish (their Dealers disconnect: nodedown
 *   `peer_closed`), as they would after SIGKILL of a node process;
 * - counts of the distribution frames it receives, by kind and control channel (the control
 *   traffic of the scale benchmark; TransportStats only counts frames in total).
 */
export class KillableZmqTransport extends ZmqTransport {
  private readonly kinds: Record<string, number> = {};
  private readonly channels: Record<string, number> = {};
  private killed: Promise<void> | null = null;

  /** Start counting: call once, before the node starts (listeners run in order of registration). */
  countFrames(): void {
    this.on('frame', (_peer: PeerInfo, frame: DistFrame) => {
      this.kinds[frame.kind] = (this.kinds[frame.kind] ?? 0) + 1;
      if (frame.kind === 'control') this.channels[frame.channel] = (this.channels[frame.channel] ?? 0) + 1;
    });
  }

  frameCounts(): FrameCounts {
    return { byKind: { ...this.kinds }, byChannel: { ...this.channels } };
  }

  /** As if the process died: no event, no frame; the sockets close (linger 0). Idempotent. */
  kill(): Promise<void> {
    this.killed ??= (async () => {
      this.halt();
      await this.carrier.close();
    })();
    return this.killed;
  }

  get isKilled(): boolean {
    return this.killed !== null;
  }
}
