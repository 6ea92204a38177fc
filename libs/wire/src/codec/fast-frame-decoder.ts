import { Op, type Frame } from '../frames.js';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import { TAG_PID, TAG_REF, isIdentityContent } from './cbor-tags.js';
import { schemaOfOp } from './frame-registry.js';
import type { FrameSchema } from './frame-schema.js';

/**
 * A hand-written decoder for SEND frames of common terms, the counterpart of the fast encoder
 * (fast-frame-encoder.ts): it reads one item the CborScanner already found well-formed and
 * allowed, and returns the wire array `[op, to, msg]` that cbor-x (with the sdnode tags) returns
 * for it, which the FrameCodec then validates as every decoded frame (frameFromArray). It spares
 * cbor-x's per-call setup, the tag content arrays of pids and refs and, with a small cache per
 * codec, the strings of repeated keys and short values (bench/README.md, "Remote call").
 *
 * It reads the common forms only: unsigned and negative integers up to 32 bits, 64-bit floats,
 * ASCII text, arrays, maps with text keys (as objects), false/true/null/undefined, packed
 * references to the inbound node-name table (simple values 0-15) and pid and ref tags with valid
 * content. For anything else (another op, other tags, half and single floats, 64-bit integers,
 * byte strings, non-ASCII text, tag 6 references, deep or large containers) it returns BAIL
 * having built nothing visible, and the item takes the cbor-x path, which decodes or refuses it as
 * before. Where it reads a form, it builds what cbor-x builds: the same numbers (cbor-x's
 * `-1 - n` for negative integers), strings, key order and objects.
 */

/** Returned when the item must take the cbor-x path. */
export const BAIL: unique symbol = Symbol('bail');

/** Nesting the fast path reads (deeper items take the cbor-x path). */
const MAX_DEPTH = 32;
/** Longest container (entries) the fast path reads. */
const MAX_ENTRIES = 1024;
/** Strings up to this many bytes go through the cache. */
const CACHED_BELOW = 33;
/** Cache slots (a power of two). */
const CACHE_SLOTS = 256;

export class FastFrameDecoder {
  private src: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;
  private failed = false;
  /** Recent short strings by a hash of their bytes: a repeated key costs no new string. */
  private readonly cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);
  /** The 8 bytes of a float, read big-endian as CBOR writes them. */
  private readonly scratch = new DataView(new ArrayBuffer(8));

  /** The SEND schema, whose field checks a frame built here passes before it is returned. */
  private readonly send: FrameSchema = schemaOfOp(Op.SEND)!;

  /** `names`: the inbound node-name table (packed references resolve to its entries). */
  constructor(private readonly names: readonly string[]) {}

  /** The wire array of the item `bytes[from, to)`, or BAIL. Never throws. */
  decode(bytes: Uint8Array, from: number, to: number): unknown[] | typeof BAIL {
    if (!this.readSend(bytes, from, to)) return BAIL;
    const pid = this.readTo;
    const msg = this.readMsg;
    this.readTo = this.readMsg = undefined;
    return [Op.SEND, pid, msg];
  }

  /**
   * The SEND frame of the item `bytes[from, to)`, built as the SEND schema builds it from the wire
   * array and passing its field checks (no wire array); BAIL when `decode` would bail or the
   * checks fail (cbor-x and frameFromArray then decode and report the item as before).
   */
  decodeFrame(bytes: Uint8Array, from: number, to: number): Frame | typeof BAIL {
    if (!this.readSend(bytes, from, to)) return BAIL;
    const frame: Frame = { kind: 'send', to: this.readTo as Pid, msg: this.readMsg as Extract<Frame, { kind: 'send' }>['msg'] };
    this.readTo = this.readMsg = undefined;
    return this.send.check(frame) === undefined ? frame : BAIL;
  }

  /** What the last readSend read (let go as soon as it is used). */
  private readTo: unknown = undefined;
  private readMsg: unknown = undefined;

  /** Read a SEND item's pid and message into readTo and readMsg; false when it must bail. */
  private readSend(bytes: Uint8Array, from: number, to: number): boolean {
    // [op, to, msg]: an array of 3 whose op is SEND (a one-byte unsigned integer)
    if (to - from < 3 || bytes[from] !== 0x83 || bytes[from + 1] !== Op.SEND) return false;
    this.src = bytes;
    this.pos = from + 2;
    this.end = to;
    this.failed = false;
    const pid = this.value(1);
    const msg = this.failed ? undefined : this.value(1);
    const done = !this.failed && this.pos === to && pid instanceof Pid;
    this.src = EMPTY;
    this.readTo = done ? pid : undefined;
    this.readMsg = done ? msg : undefined;
    return done;
  }

  private bail(): undefined {
    this.failed = true;
    return undefined;
  }

  /** The argument of a head whose additional information is `info` (up to 32 bits), or -1. */
  private argument(info: number): number {
    if (info < 24) return info;
    const s = this.src;
    const p = this.pos;
    switch (info) {
      case 24:
        if (p + 1 > this.end) return -1;
        this.pos = p + 1;
        return s[p]!;
      case 25:
        if (p + 2 > this.end) return -1;
        this.pos = p + 2;
        return (s[p]! << 8) | s[p + 1]!;
      case 26:
        if (p + 4 > this.end) return -1;
        this.pos = p + 4;
        return s[p]! * 0x1000000 + ((s[p + 1]! << 16) | (s[p + 2]! << 8) | s[p + 3]!);
      default:
        return -1; // 64-bit arguments, reserved values, indefinite lengths
    }
  }

  private value(depth: number): unknown {
    if (this.failed || this.pos >= this.end || depth > MAX_DEPTH) return this.bail();
    const s = this.src;
    const head = s[this.pos++]!;
    const major = head >> 5;
    const info = head & 0x1f;
    switch (major) {
      case 0: {
        const n = this.argument(info);
        return n < 0 ? this.bail() : n;
      }
      case 1: {
        const n = this.argument(info);
        return n < 0 ? this.bail() : -1 - n;
      }
      case 3: {
        const n = this.argument(info);
        return n < 0 ? this.bail() : this.text(n);
      }
      case 4: {
        const n = this.argument(info);
        if (n < 0 || n > MAX_ENTRIES) return this.bail();
        const array = new Array<unknown>(n);
        for (let i = 0; i < n; i++) array[i] = this.value(depth + 1);
        return this.failed ? undefined : array;
      }
      case 5: {
        const n = this.argument(info);
        if (n < 0 || n > MAX_ENTRIES) return this.bail();
        const object: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.key();
          if (key === undefined) return this.bail();
          object[key] = this.value(depth + 1);
        }
        return this.failed ? undefined : object;
      }
      case 6: {
        const tag = this.argument(info);
        if (tag !== TAG_PID && tag !== TAG_REF) return this.bail();
        return this.identity(tag);
      }
      case 7:
        switch (info) {
          case 20:
            return false;
          case 21:
            return true;
          case 22:
            return null;
          case 23:
            return undefined;
          case 27: {
            const p = this.pos;
            if (p + 8 > this.end) return this.bail();
            const scratch = this.scratch;
            for (let i = 0; i < 8; i++) scratch.setUint8(i, s[p + i]!);
            this.pos = p + 8;
            return scratch.getFloat64(0);
          }
          default:
            return info < 16 && info < this.names.length ? this.names[info] : this.bail();
        }
      default:
        return this.bail(); // byte strings
    }
  }

  /** A map key: text (not `__proto__`, which the scanner refuses) or a packed reference. */
  private key(): string | undefined {
    if (this.failed || this.pos >= this.end) return undefined;
    const head = this.src[this.pos]!;
    if (head >> 5 === 3) {
      this.pos++;
      const n = this.argument(head & 0x1f);
      const key = n < 0 ? undefined : this.text(n);
      return key === '__proto__' ? undefined : key;
    }
    if (head >> 5 === 7 && (head & 0x1f) < 16 && (head & 0x1f) < this.names.length) {
      this.pos++;
      return this.names[head & 0x1f];
    }
    return undefined;
  }

  /** An ASCII text of `n` bytes (anything else: BAIL), from the cache when short. */
  private text(n: number): string | undefined {
    const s = this.src;
    const start = this.pos;
    if (start + n > this.end) return this.bail();
    let hash = n;
    for (let i = start; i < start + n; i++) {
      const c = s[i]!;
      if (c >= 0x80) return this.bail();
      hash = (hash * 31 + c) | 0;
    }
    this.pos = start + n;
    if (n >= CACHED_BELOW) return latin1(s, start, n);
    const slot = hash & (CACHE_SLOTS - 1);
    const cached = this.cache[slot];
    if (cached !== undefined && cached.length === n && sameChars(cached, s, start)) return cached;
    const str = latin1(s, start, n);
    this.cache[slot] = str;
    return str;
  }

  /** A pid or ref tag's content `[node, id, creation]`, read in place. */
  private identity(tag: number): unknown {
    const s = this.src;
    if (this.pos >= this.end || s[this.pos] !== 0x83) return this.bail();
    this.pos++;
    let node: unknown;
    const head = this.pos < this.end ? s[this.pos]! : 0xff;
    if (head >> 5 === 3) node = this.value(MAX_DEPTH);
    else if (head >> 5 === 7 && (head & 0x1f) < 16) node = this.value(MAX_DEPTH);
    else return this.bail();
    const id = this.value(MAX_DEPTH);
    const creation = this.value(MAX_DEPTH);
    if (this.failed || !isIdentityContent(node, id, creation)) return this.bail();
    return tag === TAG_PID ? new Pid(node, id as number, creation as number) : new Ref(node, id as number, creation as number);
  }
}

const EMPTY = new Uint8Array(0);

/** The text of ASCII bytes. */
function latin1(s: Uint8Array, start: number, n: number): string {
  if (s instanceof Buffer) return s.toString('latin1', start, start + n);
  let out = '';
  for (let i = start; i < start + n; i++) out += String.fromCharCode(s[i]!);
  return out;
}

function sameChars(str: string, s: Uint8Array, start: number): boolean {
  for (let i = 0; i < str.length; i++) if (str.charCodeAt(i) !== s[start + i]) return false;
  return true;
}
