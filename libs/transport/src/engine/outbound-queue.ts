/**
 * The frames queued towards one peer and not yet handed to the carrier. Frames are appended as
 * encoded chunks; the writer takes them out as batches of at most `maxBatchBytes` (a chunk larger
 * than that travels alone). `bytes` is what the backpressure bound is checked against.
 */
export class OutboundQueue {
  private chunks: unknown[] = [];
  private sizes: number[] = [];
  private head = 0;
  private total = 0;

  get bytes(): number {
    return this.total;
  }

  get length(): number {
    return this.chunks.length - this.head;
  }

  push(chunk: unknown, size: number): void {
    this.chunks.push(chunk);
    this.sizes.push(size);
    this.total += size;
  }

  /** Remove and return the next batch: its chunks, in order, and their total size. */
  take(maxBatchBytes: number): { chunks: unknown[]; bytes: number } {
    const start = this.head;
    let end = start;
    let bytes = 0;
    const n = this.chunks.length;
    while (end < n) {
      const size = this.sizes[end]!;
      if (end > start && bytes + size > maxBatchBytes) break;
      bytes += size;
      end++;
    }
    let out: unknown[];
    if (start === 0 && end === n) {
      out = this.chunks;
      this.chunks = [];
      this.sizes = [];
      this.head = 0;
    } else {
      out = this.chunks.slice(start, end);
      this.head = end;
      if (this.head === n) {
        this.chunks = [];
        this.sizes = [];
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > n) {
        this.chunks = this.chunks.slice(this.head);
        this.sizes = this.sizes.slice(this.head);
        this.head = 0;
      }
    }
    this.total -= bytes;
    return { chunks: out, bytes };
  }

  /** Drop everything; returns how many chunks were dropped. */
  clear(): number {
    const dropped = this.length;
    this.chunks = [];
    this.sizes = [];
    this.head = 0;
    this.total = 0;
    return dropped;
  }
}
