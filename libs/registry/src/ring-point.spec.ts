import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingPoint } from './ring-point.js';

const reference = (name: string): number => hash('md5', name, 'buffer').readUInt32LE(0);

describe('RingPoint', () => {
  it('is the first word of node:crypto md5, little-endian, for any name', () => {
    const points = new RingPoint();
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ minLength: 50, maxLength: 60 })), (name) => {
        expect(points.of(name)).toBe(reference(name));
      }),
      { numRuns: 5000 },
    );
  });

  it('covers every length around the one-block limit, ASCII and not', () => {
    const points = new RingPoint();
    for (let n = 0; n <= 70; n++) {
      for (const name of ['x'.repeat(n), 'n'.repeat(Math.max(0, n - 1)) + '\u007f', 'é'.repeat(n), `name.${n}`.padEnd(n, '.')]) {
        expect(points.of(name)).toBe(reference(name));
      }
    }
  });
});
