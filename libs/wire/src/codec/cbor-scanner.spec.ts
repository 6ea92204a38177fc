import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Encoder } from 'cbor-x';
import { CborScanner, ITEM_FATAL, ITEM_OK, ITEM_REJECTED, type ItemStatus } from './cbor-scanner.js';
import { SDNODE_TAGS_REGISTERED, SdnodeTag, StandardTag } from './cbor-tags.js';
import { termArb } from './arbitraries.test-util.js';

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true });
const scanner = new CborScanner(64);
void SDNODE_TAGS_REGISTERED;

function scan(bytes: number[] | Uint8Array): { status: ItemStatus; end: number; reason: string } {
  const input = Uint8Array.from(bytes);
  const status = scanner.scanItem(input, 0, input.length);
  return { status, end: scanner.end, reason: scanner.reason };
}

describe('CborScanner', () => {
  it('accepts every encoded term and finds its exact end', () => {
    fc.assert(
      fc.property(termArb, (term) => {
        const bytes = encoder.encode(term);
        const result = scan(bytes);
        expect(result.reason).toBe('');
        expect(result.status).toBe(ITEM_OK);
        expect(result.end).toBe(bytes.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds the boundaries of each item in a sequence', () => {
    fc.assert(
      fc.property(fc.array(termArb, { minLength: 1, maxLength: 6 }), (terms) => {
        const parts = terms.map((t) => encoder.encode(t));
        const all = Buffer.concat(parts);
        let offset = 0;
        for (const part of parts) {
          expect(scanner.scanItem(all, offset, all.length)).toBe(ITEM_OK);
          expect(scanner.end).toBe(offset + part.length);
          offset = scanner.end;
        }
      }),
    );
  });

  it('rejects forbidden but well-formed items and still finds their end', () => {
    const cases: Array<[number[], string]> = [
      [[0xd8, 0x1b, 0x80, 0x00], 'tag 27 is not allowed'], // tag 27 [] then a trailing item
      [[0xa1, 0x01, 0x02], 'map key of major type 0 in a plain map'],
      [[0xa1, 0x69, ...Buffer.from('__proto__'), 0x01], 'key __proto__'],
      [[0xf0], 'simple value 16'],
      [[0xd9, 0x01, 0x03, 0x80], 'tag 259 wraps major type 4'],
      [[0xc1, 0x61, 0x78], 'tag 1 wraps major type 3'],
      [[0xd8, 0x40, 0xd8, 0x40, 0x40], 'tag 64 wraps major type 6'], // nested tags
    ];
    for (const [bytes, reason] of cases) {
      const result = scan(bytes);
      expect(result.status, reason).toBe(ITEM_REJECTED);
      expect(result.reason).toBe(reason);
    }
    // the first case's item ends after tag 27 and its empty array
    expect(scan([0xd8, 0x1b, 0x80, 0x00]).end).toBe(3);
  });

  it('accepts exactly the sdnode and standard tags, each around its kind of content', () => {
    const content: Record<number, number[]> = { 1: [0x01], 2: [0x41, 0x01], 3: [0x41, 0x01], 64: [0x40], 258: [0x80], 259: [0xa0] };
    for (const tag of [...Object.values(SdnodeTag), ...Object.values(StandardTag)]) {
      const header = tag < 24 ? [0xc0 | tag] : tag < 256 ? [0xd8, tag] : [0xd9, tag >> 8, tag & 0xff];
      expect(scan([...header, ...(content[tag] ?? [0x80])]).status, `tag ${tag}`).toBe(ITEM_OK);
    }
    // tag 6 (a packed node-name reference) is allowed around an integer: node-name-table.spec.ts
    expect(scan([0xc6, 0x80]).reason).toBe('tag 6 wraps major type 4');
    for (const tag of [0, 4, 5, 24, 27, 28, 29, 35, 51, 55799, 0xdfff, 0xe000, 42452]) {
      const header = tag < 24 ? [0xc0 | tag] : tag < 256 ? [0xd8, tag] : [0xd9, tag >> 8, tag & 0xff];
      expect(scan([...header, 0x80]).reason, `tag ${tag}`).toBe(`tag ${tag} is not allowed`);
    }
  });

  it('accepts any key type inside an explicit Map (tag 259)', () => {
    expect(scan([0xd9, 0x01, 0x03, 0xa1, 0x01, 0x02]).status).toBe(ITEM_OK);
  });

  it('reports truncation, indefinite lengths, reserved headers and excess depth as fatal', () => {
    expect(scan([0xc1]).reason).toBe('truncated item');
    expect(scan([0x83, 0x01]).reason).toBe('container of 3 entries past the end');
    expect(scan([0x19, 0x01]).reason).toBe('truncated header');
    expect(scan([0x9f, 0xff]).reason).toBe('indefinite length items are not allowed');
    expect(scan([0xff]).reason).toBe('unexpected break code');
    expect(scan([0x1d]).reason).toBe('reserved additional information 29');
    expect(scan([0x5a, 0xff, 0xff, 0xff, 0xff]).reason).toContain('past the end');
    expect(scan(new Array<number>(65).fill(0x81).concat([0])).reason).toBe('nesting deeper than 64');
    for (const bytes of [[0x83, 0x01], [0x9f], [0x1d], new Array<number>(100).fill(0x81)]) expect(scan(bytes).status).toBe(ITEM_FATAL);
  });

  it('accepts nesting exactly at the depth limit', () => {
    expect(scan(new Array<number>(64).fill(0x81).concat([0])).status).toBe(ITEM_OK);
  });
});
