import type { TransportStats } from '../transport.js';
import type { OutboundStream } from './carrier.js';
import type { Connection } from './connection.js';
import type { JoinChunks } from './outbound-queue.js';
import type { FrameFormat } from './frame-format.js';
import { isRangeStream, type RangeStream } from './range-stream.js';

/** What `join` returns for a batch it left as a range (`rangeBytes[rangeFrom, rangeTo)`). */
const RANGE: unique symbol = Symbol('range');

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
  /**
   * The connections to flush at the end of the macrotask, `dirty[0..dirtyCount)`. Two lists used
   * in turn and never emptied with `length = 0` (which would drop their backing stores): no
   * allocation per flush.
   */
  private dirty: (Connection | undefined)[] = [];
  private dirtyCount = 0;
  private spare: (Connection | undefined)[] = [];
  private flushPending = false;
  private readonly flushFn = (): void => this.flushAll();
  /** Whether the next `join` may leave its batch as a range (the stream is a RangeStream). */
  private takeRange = false;
  /** The batch `join` left as a range: written at once, then let go. */
  private rangeBytes: Uint8Array | undefined;
  private rangeFrom = 0;
  private rangeTo = 0;
  /**
   * Joins a batch's chunks into its payload; for a RangeStream, chunks lying back to back in one
   * buffer (consecutive frames in an encoder's slab) are left as that range (RANGE), not a view.
   */
  private readonly join: JoinChunks<unknown> = (chunks, start, end, starts, sizes) => {
    if (this.takeRange) {
      this.takeRange = false;
      const first = chunks[start];
      let next = starts[start]!;
      if (next >= 0 && first instanceof Uint8Array) {
        const from = next;
        let i = start;
        while (i < end && chunks[i] === first && starts[i] === next) next += sizes[i++]!;
        if (i === end) {
          this.rangeBytes = first;
          this.rangeFrom = from;
          this.rangeTo = next;
          return RANGE;
        }
      }
    }
    const format = this.options.format;
    return format.batchAt !== undefined ? format.batchAt(chunks, start, end, starts, sizes) : format.batch(chunks, start, end);
  };
  /** The outbound delay in ms (0: none). */
  private delayMs = 0;
  /** The connections with batches held by the delay. */
  private readonly holding = new Set<Connection>();

  constructor(private readonly options: WriterOptions) {}

  /** The outbound delay in force (ms). */
  get delay(): number {
    return this.delayMs;
  }

  /**
   * Hold every batch for `ms` before it is handed to the carrier (checked by the caller). The
   * batches leave in order, per connection; a batch is stamped when the writer takes it from the
   * queue (at the end of the macrotask that queued its frames), one timer per connection wakes
   * the writer when the oldest one is due. 0 lifts the delay: what is held leaves at once, in
   * order, before anything sent afterwards.
   */
  setDelay(ms: number): void {
    this.delayMs = ms;
    if (ms > 0) return;
    for (const conn of [...this.holding]) {
      conn.delayed.releaseAll();
      this.clearDelayTimer(conn);
      this.schedule(conn);
    }
  }

  /** Ask for the connection's queue to be flushed at the end of the current macrotask. */
  schedule(conn: Connection): void {
    if (conn.writing || conn.flushScheduled) return;
    conn.flushScheduled = true;
    const at = this.dirtyCount++;
    if (at < this.dirty.length) this.dirty[at] = conn;
    else this.dirty.push(conn);
    if (!this.flushPending) {
      this.flushPending = true;
      process.nextTick(this.flushFn);
    }
  }

  /** Drop the batches the delay holds for a connection; returns how many frames they carried. */
  dropHeld(conn: Connection): number {
    this.clearDelayTimer(conn);
    this.holding.delete(conn);
    return conn.delayed.clear();
  }

  /** Forget every scheduled flush and drop every held batch (the transport stops). */
  cancel(): void {
    for (let i = 0; i < this.dirtyCount; i++) this.dirty[i]!.flushScheduled = false;
    this.dirty = [];
    this.dirtyCount = 0;
    for (const conn of [...this.holding]) this.options.stats.framesDropped += this.dropHeld(conn);
  }

  private flushAll(): void {
    this.flushPending = false;
    const dirty = this.dirty;
    const count = this.dirtyCount;
    this.dirty = this.spare;
    this.dirtyCount = 0;
    this.spare = dirty;
    for (let i = 0; i < count; i++) {
      const conn = dirty[i]!;
      dirty[i] = undefined;
      conn.flushScheduled = false;
      this.pump(conn);
    }
  }

  /**
   * The writer loop of one connection: hands batches to the stream, one pending write at a time,
   * until nothing is left to send. Never throws. Not an async function: a resolved write resumes
   * it through callbacks made once per connection, so a batch costs no promise of its own.
   */
  pump(conn: Connection): void {
    if (conn.writing) return;
    const stream = conn.stream;
    if (stream === undefined) return;
    conn.writing = true;
    conn.writeStream = stream;
    this.resume(conn);
  }

  /** Write the next batch (or finish): the body of the writer loop. */
  private resume(conn: Connection): void {
    const stream = conn.writeStream!;
    const maxBatchBytes = this.options.maxBatchBytes;
    const ranged = isRangeStream(stream);
    try {
      while (conn.stream === stream) {
        if (conn.queue.length > 0 && (this.delayMs > 0 || conn.delayed.length > 0)) {
          this.hold(conn);
          continue;
        }
        let payload: unknown;
        if (conn.delayed.length > 0) {
          const batch = conn.delayed.takeDue(performance.now());
          if (batch === undefined) break;
          if (conn.delayed.length === 0) this.holding.delete(conn);
          payload = batch.payload;
          conn.writeFrames = batch.frames;
          conn.writeBytes = batch.bytes;
        } else if (conn.queue.length > 0) {
          this.takeRange = ranged;
          payload = conn.queue.take(maxBatchBytes, this.join);
          this.takeRange = false;
          conn.writeFrames = conn.queue.takenFrames;
          conn.writeBytes = conn.queue.takenBytes;
        } else {
          break;
        }
        conn.lastSent = Date.now();
        // writeNow: a payload the medium took at once costs no promise (carrier.ts)
        let pending: Promise<void> | undefined;
        if (payload === RANGE) {
          const bytes = this.rangeBytes!;
          this.rangeBytes = undefined;
          pending = (stream as RangeStream).writeRangeNow(bytes, this.rangeFrom, this.rangeTo);
        } else {
          pending = stream.writeNow !== undefined ? stream.writeNow(payload) : (stream.write(payload) as Promise<void> | undefined);
        }
        if (pending instanceof Promise) {
          pending.then((conn.onWritten ??= () => this.written(conn)), (conn.onWriteFailed ??= (err: unknown) => this.failed(conn, err)));
          return;
        }
        this.count(conn);
      }
    } catch (err) {
      this.takeRange = false;
      this.rangeBytes = undefined;
      this.failed(conn, err);
      return;
    }
    this.idle(conn, stream);
  }

  private count(conn: Connection): void {
    const stats = this.options.stats;
    stats.framesSent += conn.writeFrames;
    stats.batchesSent++;
    stats.bytesSent += conn.writeBytes;
  }

  private written(conn: Connection): void {
    this.count(conn);
    this.resume(conn);
  }

  private failed(conn: Connection, err: unknown): void {
    conn.writing = false;
    conn.writeStream = undefined;
    this.options.onWriteFailed(conn, err);
  }

  /** Nothing left to write (or the stream changed): what follows a finished writer loop. */
  private idle(conn: Connection, stream: OutboundStream): void {
    conn.writing = false;
    conn.writeStream = undefined;
    if (conn.stream !== stream) return;
    if (conn.closeAfterDrainMs !== undefined && conn.queue.length === 0 && conn.delayed.length === 0) {
      conn.stream = undefined;
      stream.close(conn.closeAfterDrainMs);
    } else if (conn.queue.length > 0) {
      this.schedule(conn);
    } else if (conn.delayed.length > 0) {
      this.armDelayTimer(conn);
    }
  }

  /** Move everything queued to the delay line, as batches due `delayMs` from now. */
  private hold(conn: Connection): void {
    const maxBatchBytes = this.options.maxBatchBytes;
    const due = performance.now() + this.delayMs;
    while (conn.queue.length > 0) {
      const payload = conn.queue.take(maxBatchBytes, this.join);
      conn.delayed.push(payload, conn.queue.takenFrames, conn.queue.takenBytes, due);
    }
    this.holding.add(conn);
  }

  /**
   * Wake the writer when the oldest held batch is due. A timer already armed stays: due times
   * only grow along the line, so it fires no later than needed (and the writer re-arms it).
   */
  private armDelayTimer(conn: Connection): void {
    const due = conn.delayed.nextDue;
    if (due === undefined || conn.delayTimer !== undefined) return;
    conn.delayTimer = setTimeout(
      () => {
        conn.delayTimer = undefined;
        this.schedule(conn);
      },
      Math.max(0, Math.ceil(due - performance.now())),
    );
    conn.delayTimer.unref();
  }

  private clearDelayTimer(conn: Connection): void {
    if (conn.delayTimer !== undefined) clearTimeout(conn.delayTimer);
    conn.delayTimer = undefined;
  }
}
