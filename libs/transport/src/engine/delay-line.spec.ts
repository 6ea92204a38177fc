import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DelayLine } from './delay-line.js';

describe('DelayLine', () => {
  it('hands every batch out once, in order, never before it is due (property)', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 200 }), bytes: fc.integer({ min: 1, max: 1_000 }) }),
      fc.record({ advance: fc.integer({ min: 0, max: 100 }) }),
      fc.constant({ release: true as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const line = new DelayLine();
        let now = 0;
        let pushed = 0;
        let bytes = 0;
        let lastDue = -Infinity;
        const taken: number[] = [];
        const drain = (): void => {
          for (let batch = line.takeDue(now); batch !== undefined; batch = line.takeDue(now)) {
            expect(batch.due).toBeLessThanOrEqual(now);
            expect(batch.due).toBeGreaterThanOrEqual(lastDue); // due times never go back
            lastDue = batch.due;
            bytes -= batch.bytes;
            taken.push(batch.payload as number);
          }
        };
        for (const o of ops) {
          if ('push' in o) {
            line.push(pushed++, 1, o.bytes, now + o.push);
            bytes += o.bytes;
          } else if ('advance' in o) {
            now += o.advance;
            drain();
          } else {
            line.releaseAll();
            lastDue = -Infinity; // released: due at once
            drain();
            expect(line.length).toBe(0);
          }
          expect(line.bytes).toBe(bytes);
        }
        line.releaseAll();
        lastDue = -Infinity;
        drain();
        expect(taken).toEqual(Array.from({ length: pushed }, (_, i) => i));
        expect(line.bytes).toBe(0);
        expect(line.nextDue).toBeUndefined();
      }),
    );
  });

  it('keeps a batch pushed with a shorter delay behind the ones held before it', () => {
    const line = new DelayLine();
    line.push('slow', 1, 10, 100);
    line.push('fast', 1, 10, 5);
    expect(line.takeDue(50)).toBeUndefined();
    expect(line.takeDue(100)?.payload).toBe('slow');
    expect(line.takeDue(100)?.payload).toBe('fast');
  });

  it('clear drops everything and says how many frames the batches carried', () => {
    const line = new DelayLine();
    line.push('a', 3, 10, 1);
    line.push('b', 4, 20, 2);
    expect(line.clear()).toBe(7);
    expect([line.length, line.bytes, line.nextDue]).toEqual([0, 0, undefined]);
  });
});
