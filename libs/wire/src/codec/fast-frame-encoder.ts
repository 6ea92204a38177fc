import type { Frame } from '../frames.js';
import { Op } from '../frames.js';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import { TAG_PID, TAG_REF, hasValidIdentity } from './cbor-tags.js';
import type { OutboundNames } from './node-name-table.js';

/**
 * A hand-written encoder for the frames of the call path (SEND, MONITOR, DEMONITOR), writing into
 * a slab its FrameCodec owns instead of going through cbor-x's generic encoder (whose per-encode
 * view, extension dispatch and per-pid arrays were a third of a caller's garbage: bench/README.md,
 * "Remote call").
 *
 * It produces the bytes the generic path would produce, or bytes every version-2 decoder reads to
 * the same frame (docs/protocols/wire-format.md, "Fast encoder"): the same tags, the same number
 * forms, the same UTF-8, packed references for the node names of pids and refs that are in the
 * connection's outbound table; maps take their shortest header (cbor-x writes a 2-byte count).
 *
 * It handles the common terms only: strings, numbers, booleans, null, undefined, arrays, plain
 * objects, pids and refs. For anything else (Map, Set, Date, bigint, bytes, errors, a pid whose node
 * is not in the table yet, deep or large frames, anything not sendable) `encode` returns undefined
 * and the FrameCodec takes the generic path, which checks, refuses or encodes it as before.
 *
 * Encoded frames are views into the slab; the slab is never written over (a frame that does not
 * fit starts a new one), so a frame stays valid while it waits in a queue. Consecutive frames are
 * contiguous, so a batch of them is one view (FrameCodec.concat).
 */

/** Bytes per slab; a frame that does not fit in an empty slab takes the generic path. */
export const FAST_SLAB_BYTES = 16 * 1024;
/** Deepest nesting the fast path writes (deeper terms take the generic path). */
const MAX_FAST_DEPTH = 32;
/** Longest string the fast path writes, in UTF-16 units. */
const MAX_FAST_STRING = 4096;
/** Strings shorter than this are written char by char, as cbor-x does; longer ones with utf8Write. */
const MANUAL_UTF8_BELOW = 0x40;

/** Written by a write that ran out of slab or met a term the fast path does not handle. */
const BAIL = -1;

export class FastFrameEncoder {
  private slab: Buffer = Buffer.allocUnsafeSlow(FAST_SLAB_BYTES);
  private pos = 0;

  /** `names`: the connection's outbound node-name table; `maxFrameBytes`: larger frames take the generic path. */
  /** Objects nested deeper than this take the generic path (which refuses those past the codec's limit). */
  private readonly maxDepth: number;

  /**
   * `names`: the connection's outbound node-name table; `maxFrameBytes`: larger frames take the
   * generic path; `codecMaxDepth`: the codec's nesting limit (the frame array is one level).
   */
  constructor(
    private readonly names: OutboundNames,
    private readonly maxFrameBytes: number,
    codecMaxDepth: number,
  ) {
    this.maxDepth = Math.min(MAX_FAST_DEPTH, codecMaxDepth - 1);
  }

  /** The frame's bytes, or undefined when it must take the generic path (nothing is written then). */
  encode(frame: Frame): Uint8Array | undefined {
    const end = this.write(frame);
    return end === BAIL ? undefined : this.slab.subarray(this.lastStart, end);
  }

  /**
   * `encode` without a view: the frame's bytes are `slab[lastStart, lastEnd)` of the slab
   * returned (kept valid as `encode`'s views are); undefined when it must take the generic path.
   */
  encodeInPlace(frame: Frame): Buffer | undefined {
    const end = this.write(frame);
    if (end === BAIL) return undefined;
    this.lastEnd = end;
    return this.slab;
  }

  /** Where the last frame written starts in the slab, and (after encodeInPlace) where it ends. */
  lastStart = 0;
  lastEnd = 0;

  /** Write the frame into the slab; its end offset, or BAIL (nothing written). */
  private write(frame: Frame): number {
    if (typeof frame !== 'object' || frame === null) return BAIL;
    const kind = frame.kind;
    if (kind !== 'send' && kind !== 'monitor' && kind !== 'demonitor') return BAIL;
    let end = this.tryEncode(frame);
    if (end === BAIL && this.pos > 0 && this.lastWasRoom) {
      // did not fit in what is left of this slab: once more in a fresh one
      this.slab = Buffer.allocUnsafeSlow(FAST_SLAB_BYTES);
      this.pos = 0;
      end = this.tryEncode(frame);
    }
    return end;
  }

  /** The last failed write ran out of room (rather than meeting an unhandled term). */
  private lastWasRoom = false;

  private tryEncode(frame: Frame): number {
    const start = this.pos;
    this.lastWasRoom = false;
    let p = start;
    switch (frame.kind) {
      case 'send':
        if (!isFastIdentity(frame.to, Pid.prototype)) return BAIL;
        p = this.byte(p, 0x83);
        p = this.byte(p, Op.SEND);
        p = this.identity(p, TAG_PID, frame.to);
        p = this.term(p, frame.msg, 0);
        break;
      case 'monitor':
      case 'demonitor':
        if (!isFastIdentity(frame.from, Pid.prototype) || !isFastIdentity(frame.to, Pid.prototype) || !isFastIdentity(frame.ref, Ref.prototype)) {
          return BAIL;
        }
        p = this.byte(p, 0x84);
        p = this.byte(p, frame.kind === 'monitor' ? Op.MONITOR : Op.DEMONITOR);
        p = this.identity(p, TAG_PID, frame.from);
        p = this.identity(p, TAG_PID, frame.to as Pid);
        p = this.identity(p, TAG_REF, frame.ref);
        break;
      default:
        return BAIL;
    }
    if (p === BAIL || p - start > this.maxFrameBytes) return BAIL;
    this.pos = p;
    this.lastStart = start;
    return p;
  }

  private room(p: number, n: number): boolean {
    if (p + n <= this.slab.length) return true;
    this.lastWasRoom = true;
    return false;
  }

  private byte(p: number, b: number): number {
    if (p === BAIL || !this.room(p, 1)) return BAIL;
    this.slab[p] = b;
    return p + 1;
  }

  /** A CBOR head: major type (shifted, e.g. 0x80 for arrays) and an argument up to 2^32 - 1. */
  private head(p: number, major: number, n: number): number {
    if (p === BAIL || !this.room(p, 5)) return BAIL;
    return this.writeHead(p, major, n);
  }

  /** `head` where the room is known to be there. */
  private writeHead(p: number, major: number, n: number): number {
    const s = this.slab;
    if (n < 0x18) {
      s[p] = major | n;
      return p + 1;
    }
    if (n < 0x100) {
      s[p] = major | 0x18;
      s[p + 1] = n;
      return p + 2;
    }
    if (n < 0x10000) {
      s[p] = major | 0x19;
      s[p + 1] = n >> 8;
      s[p + 2] = n & 0xff;
      return p + 3;
    }
    s[p] = major | 0x1a;
    s.writeUInt32BE(n, p + 1);
    return p + 5;
  }

  /** A pid or ref tag: `tag([node, id, creation])`, the node as a packed reference when it can be. */
  private identity(p: number, tag: number, value: Pid | Ref): number {
    if (p === BAIL || !this.room(p, 4)) return BAIL;
    const s = this.slab;
    s[p] = 0xd9;
    s[p + 1] = tag >> 8;
    s[p + 2] = tag & 0xff;
    s[p + 3] = 0x83;
    const at = this.names.fastPosition(value.node);
    if (at === -2) return BAIL; // a name the table would add: the generic path notes it
    p = at >= 0 ? this.packed(p + 4, at) : this.string(p + 4, value.node);
    p = this.number(p, value.id);
    return this.number(p, value.creation);
  }

  /** A packed reference to table entry `at`, as cbor-x writes it (cbor-packed). */
  private packed(p: number, at: number): number {
    if (at < 16) return this.byte(p, 0xe0 + at);
    p = this.byte(p, 0xc6);
    return this.number(p, at & 1 ? (15 - at) >> 1 : (at - 16) >> 1);
  }

  /** A number in the form cbor-x gives it (uint, negint, else float64; -0 as 0, as cbor-x does). */
  private number(p: number, v: number): number {
    if (p === BAIL) return BAIL;
    if (v >>> 0 === v) return this.head(p, 0x00, v);
    if (v >> 0 === v) return this.head(p, 0x20, ~v >>> 0);
    if (!this.room(p, 9)) return BAIL;
    if (v < 0 && v >= -0x100000000 && Math.floor(v) === v) {
      this.slab[p] = 0x3a;
      this.slab.writeUInt32BE(-1 - v, p + 1);
      return p + 5;
    }
    this.slab[p] = 0xfb;
    this.slab.writeDoubleBE(v, p + 1);
    return p + 9;
  }

  /** A text string, UTF-8 as cbor-x writes it (lone surrogates too, below MANUAL_UTF8_BELOW). */
  private string(p: number, v: string): number {
    const n = v.length;
    if (p === BAIL || n > MAX_FAST_STRING) return BAIL;
    if (!this.room(p, 3 + n * 3)) return BAIL;
    const s = this.slab;
    const headerSize = n < 0x20 ? 1 : n < 0x100 ? 2 : 3; // room for the byte length, up to 3 n
    let q = p + headerSize;
    if (n < MANUAL_UTF8_BELOW) {
      for (let i = 0; i < n; i++) {
        let c = v.charCodeAt(i);
        if (c < 0x80) {
          s[q++] = c;
        } else if (c < 0x800) {
          s[q++] = (c >> 6) | 0xc0;
          s[q++] = (c & 0x3f) | 0x80;
        } else if ((c & 0xfc00) === 0xd800 && (v.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c & 0x03ff) << 10) + (v.charCodeAt(++i) & 0x03ff);
          s[q++] = (c >> 18) | 0xf0;
          s[q++] = ((c >> 12) & 0x3f) | 0x80;
          s[q++] = ((c >> 6) & 0x3f) | 0x80;
          s[q++] = (c & 0x3f) | 0x80;
        } else {
          s[q++] = (c >> 12) | 0xe0;
          s[q++] = ((c >> 6) & 0x3f) | 0x80;
          s[q++] = (c & 0x3f) | 0x80;
        }
      }
    } else {
      q += s.write(v, q, 'utf8');
    }
    const length = q - p - headerSize;
    const needed = length < 0x18 ? 1 : length < 0x100 ? 2 : 3;
    if (needed !== headerSize) s.copyWithin(p + needed, p + headerSize, q);
    this.writeHead(p, 0x60, length);
    return q - headerSize + needed;
  }

  /** Any term the fast path handles; BAIL for the others. */
  private term(p: number, v: unknown, depth: number): number {
    if (p === BAIL) return BAIL;
    switch (typeof v) {
      case 'string':
        return this.string(p, v);
      case 'number':
        return this.number(p, v);
      case 'boolean':
        return this.byte(p, v ? 0xf5 : 0xf4);
      case 'undefined':
        return this.byte(p, 0xf7);
      case 'object':
        if (v === null) return this.byte(p, 0xf6);
        if (depth >= this.maxDepth) return BAIL;
        return this.object(p, v, depth + 1);
      default:
        return BAIL;
    }
  }

  private object(p: number, v: object, depth: number): number {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto === Object.prototype) {
      const record = v as Record<string, unknown>;
      let count = 0;
      for (const key in record) {
        if (key === '__proto__') return BAIL; // refused by the generic path
        count++;
      }
      p = this.head(p, 0xa0, count);
      for (const key in record) {
        p = this.string(p, key);
        p = this.term(p, record[key], depth);
        if (p === BAIL) return BAIL;
      }
      return p;
    }
    if (proto === Array.prototype) {
      const array = v as unknown[];
      p = this.head(p, 0x80, array.length);
      for (let i = 0; i < array.length && p !== BAIL; i++) p = this.term(p, array[i], depth);
      return p;
    }
    if (proto === Pid.prototype) return isFastIdentity(v, Pid.prototype) ? this.identity(p, TAG_PID, v as Pid) : BAIL;
    if (proto === Ref.prototype) return isFastIdentity(v, Ref.prototype) ? this.identity(p, TAG_REF, v as Ref) : BAIL;
    return BAIL;
  }
}

/** A pid or ref of exactly this copy's class with fields the decoder accepts. */
function isFastIdentity(value: unknown, proto: object): value is Pid | Ref {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === proto && hasValidIdentity(value as Pid);
}
