import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OutboundQueue } from './outbound-queue.js';

describe('OutboundQueue', () => {
  it('hands out every chunk once, in order, in batches within the size bound (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 5_000 }) }), fc.record({ take: fc.integer({ min: 1, max: 8_000 }) })), { maxLength: 300 }),
        (ops) => {
          const queue = new OutboundQueue();
          let pushed = 0;
          const taken: number[] = [];
          let expectedBytes = 0;
          for (const op of ops) {
            if ('push' in op) {
              queue.push(pushed++, op.push);
              expectedBytes += op.push;
            } else {
              const sizesBefore = queue.bytes;
              const values = queue.take(op.take, (chunks, start, end) => chunks.slice(start, end) as number[]);
              const bytes = queue.takenBytes;
              expect(queue.takenFrames).toBe(values.length);
              taken.push(...values);
              expectedBytes -= bytes;
              expect(queue.bytes).toBe(sizesBefore - bytes);
              // A batch exceeds the bound only when it is a single chunk larger than the bound.
              if (bytes > op.take) expect(values).toHaveLength(1);
              if (sizesBefore > 0) expect(values.length).toBeGreaterThan(0);
            }
            expect(queue.bytes).toBe(expectedBytes);
          }
          while (queue.length > 0) taken.push(...queue.take(10_000, (chunks, start, end) => chunks.slice(start, end) as number[]));
          expect(taken).toEqual(Array.from({ length: pushed }, (_, i) => i));
          expect(queue.bytes).toBe(0);
        },
      ),
    );
  });

  it('clear drops everything and says how many chunks it dropped', () => {
    const queue = new OutboundQueue();
    queue.push('a', 10);
    queue.push('b', 20);
    expect(queue.clear()).toBe(2);
    expect(queue.bytes).toBe(0);
    expect(queue.length).toBe(0);
  });
});
