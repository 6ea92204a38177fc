import type { TransportStats } from '../transport.js';
import type { Connection } from './connection.js';
import type { FrameFormat } from './frame-format.js';

export interface WriterOptions {
  readonly format: FrameFormat;
  readonly stats: TransportStats;
  /** Batches are split at this size (a single larger frame travels alone). */
  readonly maxBatchBytes: number;
  /** The outbound stream failed while writing. */
  readonly onWriteFailed: (conn: Connection, error: unknown) => void;
}

/**
 * Corks frames and writes them as batches: frames queued while the current macrotask runs (its
 * synchronous code and every microtask it causes: scheduler drains, resumed async bodies) are
 * flushed together, once, when that work is done, and each connection has a single writer loop
 * (a carrier accepts one pending write per stream). While a write is pending, new frames pile up
 * in the queue and leave as the next, larger batch.
 *
 * The flush is a process.nextTick. Queued from inside a microtask (the usual case: a receive loop
 * continuation, a scheduler drain, an async process body), it runs once the microtask queue is
 * empty, that is at the very end of the current macrotask: no event-loop phase is waited for (a
 * setImmediate would wait for the check phase, one more loop iteration when the frames were sent
 * from an immediate). Queued from plain synchronous code (a timer callback), it runs after that
 * code; frames sent by the microtasks that follow then leave in the next batch.
 */
export class OutboundWriter {
  private dirty: Connection[] = [];
  private flushPending = false;
  private readonly flushFn = (): void => this.flushAll();

  constructor(private readonly options: WriterOptions) {}

  /** Ask for the connection's queue to be flushed at the end of the current macrotask. */
  schedule(conn: Connection): void {
    if (conn.writing || conn.flushScheduled) return;
    conn.flushScheduled = true;
    this.dirty.push(conn);
    if (!this.flushPending) {
      this.flushPending = true;
      process.nextTick(this.flushFn);
    }
  }

  cancel(): void {
    for (const conn of this.dirty) conn.flushScheduled = false;
    this.dirty = [];
  }

  private flushAll(): void {
    this.flushPending = false;
    const dirty = this.dirty;
    this.dirty = [];
    for (const conn of dirty) {
      conn.flushScheduled = false;
      void this.pump(conn);
    }
  }

  /** The writer loop of one connection. Never rejects. */
  async pump(conn: Connection): Promise<void> {
    if (conn.writing) return;
    const stream = conn.stream;
    if (stream === undefined) return;
    conn.writing = true;
    const { format, stats, maxBatchBytes } = this.options;
    try {
      while (conn.queue.length > 0 && conn.stream === stream) {
        const { chunks, bytes } = conn.queue.take(maxBatchBytes);
        const payload = format.batch(chunks);
        conn.lastSent = Date.now();
        await stream.write(payload);
        stats.framesSent += chunks.length;
        stats.batchesSent++;
        stats.bytesSent += bytes;
      }
    } catch (err) {
      conn.writing = false;
      this.options.onWriteFailed(conn, err);
      return;
    }
    conn.writing = false;
    if (conn.closeAfterDrainMs !== undefined && conn.stream === stream && conn.queue.length === 0) {
      conn.stream = undefined;
      stream.close(conn.closeAfterDrainMs);
    } else if (conn.queue.length > 0 && conn.stream === stream) {
      this.schedule(conn);
    }
  }
}
