import { StandardTag, TAG_ERROR, TAG_PID, TAG_REF, TAG_SDNODE_ERROR } from './cbor-tags.js';
import { FieldLimits } from './wire-limits.js';

/**
 * A validating scanner over raw CBOR bytes, run before cbor-x decodes anything.
 *
 * It walks the item headers of a CBOR sequence without building values, and so:
 * - finds where each top-level item (frame) ends, so one bad frame can be dropped and decoding
 *   resumes at the next one;
 * - restricts the input to what an sdnode encoder produces: definite lengths only, the tags in
 *   ALLOWED_TAGS (cbor-x would otherwise honour record definitions, packed values, shared
 *   references, typed arrays and more), text keys in plain maps (no `__proto__`), the simple values
 *   false/true/null/undefined, bounded bignums and nesting depth;
 * - allows packed references to the connection's inbound node-name table (simple values 0-15,
 *   tag 6 around an integer) wherever a text string may stand, and only to entries the table has
 *   (`packed`, kept up to date by the FrameCodec), so cbor-x never resolves one to nothing;
 * - bounds every length against the bytes that remain, so a huge length prefix costs nothing.
 *
 * Iterative (a fixed stack of remaining-item counts sized by maxDepth), so deep input cannot
 * overflow the call stack, and linear in the input size.
 */

/** The item is well-formed and allowed; decode it. */
export const ITEM_OK = 0;
/** The item is well-formed CBOR but breaks a rule; skip it, the next item is still framed. */
export const ITEM_REJECTED = 1;
/** The bytes are not valid CBOR from here on (truncated, reserved header, indefinite length). */
export const ITEM_FATAL = 2;

export type ItemStatus = typeof ITEM_OK | typeof ITEM_REJECTED | typeof ITEM_FATAL;

const CONTAINER_ARRAY = 0;
/** A plain map (decoded as an object): keys must be text. */
const CONTAINER_OBJECT = 1;
/** A map under tag 259 (decoded as a Map): keys of any type. */
const CONTAINER_MAP = 2;

/** Tag 6: a packed reference beyond the first 16 entries (cbor-packed). */
const TAG_PACKED_REF = 6;
/** Entries reachable with simple values 0-15. */
const SIMPLE_REFS = 16;

const PROTO_KEY = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]; // "__proto__"

/** The major type a tag's content must have (-1: a number, integer or float). */
function requiredMajor(tag: number): number {
  switch (tag) {
    case StandardTag.EPOCH_DATE:
      return -1;
    case StandardTag.POS_BIGNUM:
    case StandardTag.NEG_BIGNUM:
    case StandardTag.UINT8_ARRAY:
      return 2;
    case StandardTag.MAP:
      return 5;
    case TAG_PACKED_REF:
      return -2; // an integer
    default:
      return 4; // SET and the sdnode tags wrap an array
  }
}

export class CborScanner {
  /** End offset of the last scanned item (valid when the status is not FATAL). */
  end = 0;
  /** Why the last item was rejected or fatal. */
  reason = '';
  /** Entries of the inbound node-name table: packed references below it are allowed. */
  packed = 0;
  private readonly remaining: Int32Array;
  private readonly kinds: Uint8Array;

  constructor(private readonly maxDepth: number) {
    this.remaining = new Int32Array(maxDepth + 1);
    this.kinds = new Uint8Array(maxDepth + 1);
  }

  /** Scan one top-level item starting at `start`; sets `end` and `reason`. */
  scanItem(bytes: Uint8Array, start: number, limit: number): ItemStatus {
    const stack = this.remaining;
    const kinds = this.kinds;
    // the innermost open container lives in locals (rem, kind); outer ones on the stack
    let sp = 0;
    let rem = 1;
    let kind = CONTAINER_ARRAY;
    let pos = start;
    let rejected = '';
    let pendingTag = -1;
    for (;;) {
      if (rem === 0) {
        if (sp === 0) {
          this.end = pos;
          this.reason = rejected;
          return rejected === '' ? ITEM_OK : ITEM_REJECTED;
        }
        sp--;
        rem = stack[sp]!;
        kind = kinds[sp]!;
        continue;
      }
      if (pos >= limit) return this.fatal('truncated item');
      const isObjectKey = kind === CONTAINER_OBJECT && (rem & 1) === 0;
      const initial = bytes[pos++]!;
      const major = initial >> 5;
      const info = initial & 0x1f;
      let arg = info;
      if (info >= 24) {
        if (info === 24) {
          if (pos + 1 > limit) return this.fatal('truncated header');
          arg = bytes[pos]!;
          pos += 1;
        } else if (info === 25) {
          if (pos + 2 > limit) return this.fatal('truncated header');
          arg = (bytes[pos]! << 8) | bytes[pos + 1]!;
          pos += 2;
        } else if (info === 26) {
          if (pos + 4 > limit) return this.fatal('truncated header');
          arg = bytes[pos]! * 0x1000000 + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
          pos += 4;
        } else if (info === 27) {
          if (pos + 8 > limit) return this.fatal('truncated header');
          const high = bytes[pos]! * 0x1000000 + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
          const low = bytes[pos + 4]! * 0x1000000 + ((bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!);
          // exact below 2^53; lengths that large are past the end anyway, and integers are not used
          arg = high * 0x1_0000_0000 + low;
          pos += 8;
        } else if (info === 31) {
          return this.fatal(major === 7 ? 'unexpected break code' : 'indefinite length items are not allowed');
        } else {
          return this.fatal(`reserved additional information ${info}`);
        }
      }

      if (pendingTag !== -1) {
        const need = requiredMajor(pendingTag);
        const ok =
          need === -1 ? major === 0 || major === 1 || (major === 7 && info >= 25 && info <= 27) : need === -2 ? major === 0 || major === 1 : major === need;
        if (!ok && rejected === '') rejected = `tag ${pendingTag} wraps major type ${major}`;
        if (ok && need === -2 && rejected === '') {
          // cbor-x: entry 16 + 2n for n >= 0, 16 + 2m + 1 for -1 - m
          const entry = SIMPLE_REFS + 2 * arg + major;
          if (entry >= this.packed) rejected = `packed reference to node-name entry ${entry} of ${this.packed}`;
        }
      }
      // a text key, or a packed reference standing for one (a table entry is a node name)
      const keyOk = major === 3 || (major === 7 && info < SIMPLE_REFS) || (major === 6 && arg === TAG_PACKED_REF) || pendingTag === TAG_PACKED_REF;
      if (isObjectKey && !keyOk && rejected === '') rejected = `map key of major type ${major} in a plain map`;

      rem--;
      const tagOfThis = pendingTag;
      pendingTag = -1;
      switch (major) {
        case 0:
        case 1:
          break;
        case 2:
        case 3:
          if (arg > limit - pos) return this.fatal(`string of ${arg} bytes past the end`);
          if (tagOfThis !== -1 && (tagOfThis === 2 || tagOfThis === 3) && arg > FieldLimits.maxBignumBytes && rejected === '') {
            rejected = `bignum of ${arg} bytes`;
          }
          if (isObjectKey && arg === 9 && rejected === '' && isProtoKey(bytes, pos)) rejected = 'key __proto__';
          pos += arg;
          break;
        case 4:
        case 5: {
          const items = major === 4 ? arg : arg * 2;
          if (items > limit - pos) return this.fatal(`container of ${arg} entries past the end`);
          if (sp + 1 > this.maxDepth) return this.fatal(`nesting deeper than ${this.maxDepth}`);
          stack[sp] = rem;
          kinds[sp] = kind;
          sp++;
          rem = items;
          kind = major === 4 ? CONTAINER_ARRAY : tagOfThis === StandardTag.MAP ? CONTAINER_MAP : CONTAINER_OBJECT;
          break;
        }
        case 6:
          // a tag inside a tag was already rejected above: no tag requires major type 6
          if (isObjectKey && arg !== TAG_PACKED_REF && rejected === '') rejected = 'tagged key in a plain map';
          if (!isAllowedTag(arg) && rejected === '') rejected = `tag ${arg} is not allowed`;
          // the tag and its content are one item: give the slot back and remember the tag
          rem++;
          pendingTag = arg > 0xffffffff ? 0xffffffff : arg;
          break;
        default: // 7: simple values and floats
          if (info >= 25 && info <= 27) break; // half, single, double floats (bytes skipped above)
          if (info >= 20 && info <= 23) break; // false, true, null, undefined
          if (info < SIMPLE_REFS && info < this.packed) break; // packed reference to entry `info`
          if (info < SIMPLE_REFS && rejected === '') {
            rejected = `packed reference to node-name entry ${info} of ${this.packed}`;
            break;
          }
          if (rejected === '') rejected = `simple value ${info === 24 ? arg : info}`;
          break;
      }
    }
  }

  private fatal(reason: string): ItemStatus {
    this.reason = reason;
    return ITEM_FATAL;
  }
}

/** The tags of sdnode terms (see cbor-tags.ts); a switch is faster than a Set here. */
function isAllowedTag(tag: number): boolean {
  switch (tag) {
    case TAG_PID:
    case TAG_REF:
    case TAG_SDNODE_ERROR:
    case TAG_ERROR:
    case TAG_PACKED_REF: // packed reference (checked against the table where its integer is read)
    case 1: // epoch date
    case 2: // positive bignum
    case 3: // negative bignum
    case 64: // Uint8Array
    case 258: // Set
    case 259: // Map
      return true;
    default:
      return false;
  }
}

function isProtoKey(bytes: Uint8Array, pos: number): boolean {
  for (let i = 0; i < 9; i++) if (bytes[pos + i] !== PROTO_KEY[i]) return false;
  return true;
}
