import { SHORT_FRAME_MAX, writeFrameHeader } from './zmtp-codec.js';

/**
 * The buffers a ZMTP connection hands to `socket.write` for single-frame messages, with a
 * reusable one for short frames (bodies of at most 255 bytes, the size of a remote call's
 * batch): without it, every message costs a Buffer object on the V8 heap (bench/README.md,
 * "Remote call", step 23).
 *
 * Reuse is safe only while nothing still refers to the last buffer handed out. A buffer given to
 * `net.Socket.write` is held by the socket until its write is done: queued in the Writable (while
 * an earlier write is pending), or in flight in libuv (the kernel did not take all of it at once).
 * Either way the socket's `writableLength` counts its bytes until the write completes, and a write
 * the kernel took at once is done (and the buffer let go) before `write` returns. So `short` hands
 * out the reusable buffer only when the caller saw `writableLength === 0`; otherwise a fresh one.
 *
 * The reusable memory is one ArrayBuffer of 257 bytes per connection; the exact-size views over
 * it (a message is the whole of the buffer written) are made on first use of each size and kept.
 */
export class ZmtpFrameOut {
  private readonly memory = new ArrayBuffer(2 + SHORT_FRAME_MAX);
  /** `views[size]`: the reusable buffer for a short frame of `size` body bytes. */
  private readonly views: (Buffer | undefined)[] = [];
  /** The reusable memory, for the copy. */
  private readonly target = new DataView(this.memory);
  /** A DataView of the last source buffer copied from (a slab shared by many batches). */
  private source: DataView | undefined;
  private sourceBytes: ArrayBufferLike | undefined;

  /**
   * A buffer holding a short frame's header (no flags) followed by `size` body bytes to be filled
   * in from offset 2: the reusable one when `idle` (the socket holds no earlier buffer), else fresh.
   */
  short(size: number, idle: boolean): Buffer {
    let out: Buffer | undefined;
    if (idle) {
      out = this.views[size];
      if (out === undefined) {
        out = Buffer.from(this.memory, 0, 2 + size);
        this.views[size] = out;
      }
    } else {
      out = Buffer.allocUnsafe(2 + size);
    }
    writeFrameHeader(out, 0, 0, size);
    return out;
  }

  /**
   * A message of one short frame whose body is `bytes[from, to)`, copied without a view of the
   * source (4 bytes at a time through DataViews, as fast as `set` of a view for ~150 bytes).
   */
  shortFrom(bytes: Uint8Array, from: number, to: number, idle: boolean): Buffer {
    const size = to - from;
    const out = this.short(size, idle);
    if (out.buffer !== this.memory) {
      out.set(bytes.subarray(from, to), 2);
      return out;
    }
    const source = this.viewOf(bytes);
    const target = this.target;
    let i = bytes.byteOffset + from;
    const end = bytes.byteOffset + to;
    let o = 2;
    for (; i + 4 <= end; i += 4, o += 4) target.setInt32(o, source.getInt32(i));
    for (; i < end; i++, o++) target.setUint8(o, source.getUint8(i));
    return out;
  }

  private viewOf(bytes: Uint8Array): DataView {
    const buffer = bytes.buffer;
    if (this.sourceBytes !== buffer || this.source === undefined) {
      this.source = new DataView(buffer);
      this.sourceBytes = buffer;
    }
    return this.source;
  }
}
