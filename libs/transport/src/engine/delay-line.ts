/** One batch held by the outbound delay: its payload, what it carries, and when it may leave. */
export interface HeldBatch {
  readonly payload: unknown;
  readonly frames: number;
  readonly bytes: number;
  /** performance.now() time from which the batch may be handed to the carrier. */
  due: number;
}

/**
 * The batches of one connection held by the outbound delay (Transport.setOutboundDelay), oldest
 * first. A batch never leaves before the ones held before it: its due time is at least theirs,
 * so a shorter delay set while batches are held does not overtake them.
 */
export class DelayLine {
  private items: HeldBatch[] = [];
  private head = 0;
  private total = 0;

  /** How many batches are held. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Bytes held (counted with the outbound queue for backpressure and queuedBytes). */
  get bytes(): number {
    return this.total;
  }

  /** When the oldest batch may leave (undefined when nothing is held). */
  get nextDue(): number | undefined {
    return this.items[this.head]?.due;
  }

  push(payload: unknown, frames: number, bytes: number, due: number): void {
    const last = this.length > 0 ? this.items[this.items.length - 1]!.due : due;
    this.items.push({ payload, frames, bytes, due: Math.max(last, due) });
    this.total += bytes;
  }

  /** Remove and return the oldest batch if it is due at `now`. */
  takeDue(now: number): HeldBatch | undefined {
    const batch = this.items[this.head];
    if (batch === undefined || batch.due > now) return undefined;
    this.head++;
    this.total -= batch.bytes;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Make every held batch due at once (the delay was lifted); their order stays. */
  releaseAll(): void {
    for (let i = this.head; i < this.items.length; i++) this.items[i]!.due = -Infinity;
  }

  /** Drop everything; returns how many frames were dropped. */
  clear(): number {
    let frames = 0;
    for (let i = this.head; i < this.items.length; i++) frames += this.items[i]!.frames;
    this.items = [];
    this.head = 0;
    this.total = 0;
    return frames;
  }
}
