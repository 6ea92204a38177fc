import type { RangeStream } from '../engine/range-stream.js';
import type { ZmtpConnection } from '../zmtp/zmtp-connection.js';

const WRITTEN: Promise<void> = Promise.resolve();

/**
 * An outbound stream over one ZMTP connection this node dialed (a DEALER talking to the peer's
 * ROUTER; the stream id is the Identity it announced). A batch is one single-frame message.
 *
 * `write` resolves at once when the socket took the bytes below its high-water mark, and on
 * `drain` otherwise: the engine's writer has one write pending per stream, so while the kernel
 * does not take more, frames pile up in the engine's bounded queue (maxQueueBytes), never in the
 * socket beyond one batch past the high-water mark.
 */
export class NetStream implements RangeStream {
  private closed = false;
  private pending: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(
    readonly id: string,
    private readonly connection: ZmtpConnection,
    private readonly onClose: (stream: NetStream) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  write(payload: unknown): Promise<void> {
    return this.writeNow(payload) ?? WRITTEN;
  }

  /** `write`, done at once (undefined) when the socket took the bytes below its high-water mark. */
  writeNow(payload: unknown): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new Error(`stream ${this.id} is closed`));
    if (this.connection.sendFrame(payload as Uint8Array)) return undefined;
    return this.waitDrain();
  }

  /** `writeNow` of the batch `bytes[from, to)` (RangeStream): no view of the encoder's slab. */
  writeRangeNow(bytes: Uint8Array, from: number, to: number): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new Error(`stream ${this.id} is closed`));
    if (this.connection.sendFrameRange(bytes, from, to)) return undefined;
    return this.waitDrain();
  }

  private waitDrain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  /** The socket drained: the pending write is done. */
  drained(): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve();
  }

  /** The connection was lost (the peer closed or died): a pending write fails. */
  lost(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error ?? new Error(`stream ${this.id} lost`));
    this.onClose(this);
  }

  close(flushMs = 0): void {
    if (this.closed) return;
    this.closed = true;
    // Closed by the engine, which no longer waits on this stream: a pending write just ends.
    this.drained();
    this.connection.close(flushMs);
    this.onClose(this);
  }
}
