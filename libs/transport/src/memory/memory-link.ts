import type { OutboundStream } from '../engine/carrier.js';

/** What a link needs from the two carriers it joins. */
export interface LinkEnd {
  readonly nodeName: string;
  /** Deliver one payload to this end's transport (it is the link's target). */
  receive(streamId: string, payload: unknown, bytes: number): void;
}

/** Payloads a link lets pile up (target frozen) before write() makes the writer wait: the HWM. */
export const LINK_HIGH_WATER_MARK = 16;

/**
 * One outbound stream of the in-memory network, from a dialer to a listener, standing for a
 * ZeroMQ Dealer connected to a Router. Payloads are delivered in order and asynchronously (never
 * inside write). While either end is frozen, payloads wait; beyond the high-water mark write()
 * does not resolve until they drain, like a Dealer at its HWM.
 */
export class MemoryLink implements OutboundStream {
  open = true;
  private closing = false;
  private readonly queue: Array<{ payload: unknown; bytes: number }> = [];
  private scheduled = false;
  private waiters: Array<() => void> = [];

  constructor(
    readonly id: string,
    readonly from: LinkEnd,
    readonly to: LinkEnd,
    private readonly isFrozen: (link: MemoryLink) => boolean,
    private readonly onClose: (link: MemoryLink) => void,
  ) {}

  write(payload: unknown): Promise<void> {
    if (!this.open || this.closing) return Promise.reject(new Error('stream closed'));
    this.queue.push({ payload, bytes: payloadBytes(payload) });
    this.schedule();
    if (this.queue.length < LINK_HIGH_WATER_MARK) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Dialer side close. Payloads already written are on the wire (as in a kernel socket buffer)
   * and still arrive, also after a thaw; only a cut (partition, kill) loses them. `flushMs` does
   * not matter here: in ZeroMQ it is the linger for messages not yet handed to the kernel, and a
   * MemoryLink hands everything over at once.
   */
  close(_flushMs = 0): void {
    if (!this.open || this.closing) return;
    if (this.queue.length > 0) {
      this.closing = true;
      this.schedule();
      return;
    }
    this.sever();
    this.onClose(this);
  }

  /** Cut the link: nothing more is delivered; pending writers are released. */
  sever(): void {
    this.open = false;
    this.queue.length = 0;
    this.releaseWriters();
  }

  /** Deliver what waits (called when an end thaws). */
  schedule(): void {
    if (this.scheduled || !this.open || this.queue.length === 0 || this.isFrozen(this)) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.open && this.queue.length > 0 && !this.isFrozen(this)) {
      const { payload, bytes } = this.queue.shift()!;
      this.to.receive(this.id, payload, bytes);
    }
    if (this.queue.length < LINK_HIGH_WATER_MARK) this.releaseWriters();
    if (this.closing && this.queue.length === 0 && this.open) {
      this.sever();
      this.onClose(this);
    }
  }

  private releaseWriters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function payloadBytes(payload: unknown): number {
  if (payload instanceof Uint8Array) return payload.byteLength;
  if (Array.isArray(payload)) return payload.length * 64;
  return 0;
}
