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
 * Corks frames per event-loop turn and writes them as batches: frames queued during one turn are
 * flushed together from a single setImmediate, and each connection has a single writer loop
 * (a carrier accepts one pending write per stream). While a write is pending, new frames pile up
 * in the queue and leave as the next, larger batch.
 */
export class OutboundWriter {
  private dirty: Connection[] = [];
  private immediate: NodeJS.Immediate | undefined;

  constructor(private readonly options: WriterOptions) {}

  /** Ask for the connection's queue to be flushed at the end of this event-loop turn. */
  schedule(conn: Connection): void {
    if (conn.writing || conn.flushScheduled) return;
    conn.flushScheduled = true;
    this.dirty.push(conn);
    this.immediate ??= setImmediate(() => this.flushAll());
  }

  cancel(): void {
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.immediate = undefined;
    for (const conn of this.dirty) conn.flushScheduled = false;
    this.dirty = [];
  }

  private flushAll(): void {
    this.immediate = undefined;
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
