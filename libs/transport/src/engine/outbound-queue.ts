/**
 * Makes one payload of the chunks `chunks[start..end)` (FrameFormat.batch; FrameFormat.batchAt
 * with `starts` and `sizes`: chunk `i`'s bytes are `[starts[i], starts[i] + sizes[i])` of it when
 * `starts[i] >= 0`, all of it otherwise).
 */
export type JoinChunks<P> = (chunks: readonly unknown[], start: number, end: number, starts: readonly number[], sizes: readonly number[]) => P;

/** Slots kept after the queue empties; a larger backlog's arrays are let go. */
const KEPT_SLOTS = 4096;

/**
 * The frames queued towards one peer and not yet handed to the carrier. Frames are appended as
 * encoded chunks; the writer takes them out as batches of at most `maxBatchBytes` (a chunk larger
 * than that travels alone). `bytes` is what the backpressure bound is checked against.
 *
 * The slot arrays are reused from batch to batch (emptying an array with `length = 0` would drop
 * its backing store, and the next push would allocate a new one: bench/README.md, "Remote call"),
 * so a steady stream of small batches allocates nothing here.
 */
export class OutboundQueue {
  private chunks: unknown[] = [];
  private sizes: number[] = [];
  /** Where a chunk's bytes start in it (StreamEncoder.encodeChunk), -1: all of it. */
  private starts: number[] = [];
  private head = 0;
  private tail = 0;
  private total = 0;
  /** Chunks and bytes of the batch the last `take` returned. */
  takenFrames = 0;
  takenBytes = 0;

  get bytes(): number {
    return this.total;
  }

  get length(): number {
    return this.tail - this.head;
  }

  /** Append a chunk of `size` bytes; `start` >= 0: its bytes start there in `chunk` (a slab). */
  push(chunk: unknown, size: number, start = -1): void {
    const at = this.tail++;
    if (at < this.chunks.length) {
      this.chunks[at] = chunk;
      this.sizes[at] = size;
      this.starts[at] = start;
    } else {
      this.chunks.push(chunk);
      this.sizes.push(size);
      this.starts.push(start);
    }
    this.total += size;
  }

  /**
   * Remove the next batch and return `join` of its chunks, in order (`takenFrames` and
   * `takenBytes` say how many chunks and bytes it took). `join` runs before the slots are reused.
   */
  take<P>(maxBatchBytes: number, join: JoinChunks<P>): P {
    const start = this.head;
    const n = this.tail;
    let end = start;
    let bytes = 0;
    while (end < n) {
      const size = this.sizes[end]!;
      if (end > start && bytes + size > maxBatchBytes) break;
      bytes += size;
      end++;
    }
    const payload = join(this.chunks, start, end, this.starts, this.sizes);
    for (let i = start; i < end; i++) this.chunks[i] = undefined;
    this.takenFrames = end - start;
    this.takenBytes = bytes;
    this.total -= bytes;
    this.head = end;
    if (end === n) this.reset();
    else if (end > KEPT_SLOTS && end * 2 > n) this.compact();
    return payload;
  }

  /** Drop everything; returns how many chunks were dropped. */
  clear(): number {
    const dropped = this.length;
    this.chunks.fill(undefined, this.head, this.tail);
    this.total = 0;
    this.reset();
    return dropped;
  }

  /** Empty: start again at slot 0 (the arrays stay unless a backlog made them large). */
  private reset(): void {
    this.head = 0;
    this.tail = 0;
    if (this.chunks.length > KEPT_SLOTS) {
      this.chunks = [];
      this.sizes = [];
      this.starts = [];
    }
  }

  /** Move the pending chunks to the front (a long backlog being drained). */
  private compact(): void {
    const { head, tail } = this;
    this.chunks = this.chunks.slice(head, tail);
    this.sizes = this.sizes.slice(head, tail);
    this.starts = this.starts.slice(head, tail);
    this.head = 0;
    this.tail = tail - head;
  }
}
