import type { DistFrame, NodeName } from '@sdnode/wire';
import type { DisconnectReason, PeerInfo, Transport } from '../transport.js';
import { waitUntil, type WaitOptions } from './wait-until.js';

export type RecordedEvent =
  | { readonly type: 'nodeup'; readonly peer: PeerInfo }
  | { readonly type: 'nodedown'; readonly peer: PeerInfo; readonly reason: DisconnectReason }
  | { readonly type: 'frame'; readonly peer: PeerInfo; readonly frame: DistFrame }
  | { readonly type: 'connectfailed'; readonly name: NodeName; readonly error: Error };

/** Records every event of a transport, in order, for assertions and condition waits. */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];

  constructor(readonly transport: Transport) {
    transport.on('nodeup', (peer) => this.events.push({ type: 'nodeup', peer }));
    transport.on('nodedown', (peer, reason) => this.events.push({ type: 'nodedown', peer, reason }));
    transport.on('frame', (peer, frame) => this.events.push({ type: 'frame', peer, frame }));
    transport.on('connectfailed', (name, error) => this.events.push({ type: 'connectfailed', name, error }));
  }

  of<T extends RecordedEvent['type']>(type: T): Array<Extract<RecordedEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<RecordedEvent, { type: T }> => e.type === type);
  }

  frames(): DistFrame[] {
    return this.of('frame').map((e) => e.frame);
  }

  /** Wait until a recorded event of `type` satisfies `match`; resolves with it. */
  async waitFor<T extends RecordedEvent['type']>(
    type: T,
    match: (event: Extract<RecordedEvent, { type: T }>) => boolean = () => true,
    options: WaitOptions = {},
  ): Promise<Extract<RecordedEvent, { type: T }>> {
    let found: Extract<RecordedEvent, { type: T }> | undefined;
    await waitUntil(
      () => {
        found = this.of(type).find(match);
        return found !== undefined;
      },
      { what: `a ${type} event on ${this.transport.name}`, ...options },
    );
    return found!;
  }

  /** Wait until `count` frames have been received. */
  async waitForFrames(count: number, options: WaitOptions = {}): Promise<void> {
    await waitUntil(() => this.of('frame').length >= count, { what: `${count} frames on ${this.transport.name}`, ...options });
  }
}
