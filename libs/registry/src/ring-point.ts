import { hash } from 'node:crypto';

/** Per-round left rotations of MD5 (RFC 1321). */
const SHIFTS: readonly number[] = Object.freeze([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11,
  16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);

/** MD5's sine table: floor(|sin(i + 1)| * 2^32), as signed 32-bit integers. */
const SINES: readonly number[] = Object.freeze(Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0));

/** The longest text (in bytes) that fits MD5's single block with its padding. */
const ONE_BLOCK = 55;

/**
 * A name's point on the ketama ring that hashring builds: the first four bytes of the name's MD5,
 * read little-endian (what hashring's `get` hashes a key to).
 *
 * Every registration's claim asks the owner of its name, on the claimer and again on the owner:
 * node:crypto's one-shot MD5 costs 1.5-2 us a name here (a call into OpenSSL and a Buffer for
 * the digest), more than the rest of an owner lookup. A name of at most 55 ASCII characters (the
 * usual case) is one MD5 block, computed here in a few hundred nanoseconds with no allocation;
 * any other name goes to node:crypto. Same points, tested against node:crypto and hashring.
 * One per ring (its scratch block is not shared between rings).
 */
export class RingPoint {
  /** The message block, as 16 little-endian words. */
  private readonly words = new Int32Array(16);

  of(name: string): number {
    return this.oneBlock(name) ?? hash('md5', name, 'buffer').readUInt32LE(0);
  }

  /** The point of an ASCII name of at most 55 characters; undefined for any other name. */
  private oneBlock(name: string): number | undefined {
    const n = name.length;
    if (n > ONE_BLOCK) return undefined;
    const w = this.words;
    w.fill(0);
    for (let i = 0; i < n; i++) {
      const c = name.charCodeAt(i);
      if (c >= 0x80) return undefined;
      w[i >> 2] = w[i >> 2]! | (c << ((i & 3) << 3));
    }
    w[n >> 2] = w[n >> 2]! | (0x80 << ((n & 3) << 3));
    w[14] = n << 3;
    let a = 0x67452301;
    let b = 0xefcdab89 | 0;
    let c = 0x98badcfe | 0;
    let d = 0x10325476;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const next = d;
      d = c;
      c = b;
      const x = (a + f + SINES[i]! + w[g]!) | 0;
      const s = SHIFTS[i]!;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
      a = next;
    }
    return (a + 0x67452301) >>> 0;
  }
}
