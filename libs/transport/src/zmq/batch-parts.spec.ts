import { describe, expect, it } from 'vitest';
import { PART_BYTES, SPLIT_LIMIT, fromParts, toParts } from './batch-parts.js';

const id = Buffer.from('stream-id');

function batchOf(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 7) & 0xff));
}

/** What a Router receives for what a Dealer sent. */
function received(sent: Uint8Array | Uint8Array[]): Buffer[] {
  return [id, ...(Array.isArray(sent) ? sent : [sent]).map((p) => Buffer.from(p))];
}

describe('batch parts', () => {
  it('sends batches up to 128 bytes and above the split limit whole', () => {
    for (const length of [0, 1, PART_BYTES, SPLIT_LIMIT + 1, 256 * 1024]) {
      const batch = batchOf(length);
      expect(toParts(batch)).toBe(batch);
    }
  });

  it('splits small batches into 128-byte parts that the receiver joins back', () => {
    for (let length = PART_BYTES + 1; length <= SPLIT_LIMIT; length++) {
      const batch = batchOf(length);
      const parts = toParts(batch) as Uint8Array[];
      expect(parts.length).toBe(Math.ceil(length / PART_BYTES));
      expect(parts.every((p) => p.byteLength <= PART_BYTES)).toBe(true);
      expect(fromParts(received(parts))).toEqual(batch);
    }
  });

  it('refuses multipart messages of any other form', () => {
    const part = batchOf(PART_BYTES);
    const malformed: Buffer[][] = [
      [id],
      [id, batchOf(10), batchOf(10)], // a first part shorter than 128 bytes
      [id, part, Buffer.alloc(0)], // an empty last part
      [id, part, batchOf(PART_BYTES + 1)], // a last part too long
      [id, ...Array.from({ length: SPLIT_LIMIT / PART_BYTES + 1 }, () => part)], // above the split limit
    ];
    for (const message of malformed) expect(fromParts(message)).toBeUndefined();
  });
});
