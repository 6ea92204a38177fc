import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidArgumentError } from '@sdnode/wire';
import { RestartIntensity } from './restart-intensity.js';

/** The definition, computed from scratch: the restarts in (now - period, now], this one included. */
function modelAllows(times: readonly number[], i: number, intensity: number, period: number): boolean {
  const now = times[i]!;
  let inWindow = 0;
  for (let j = 0; j <= i; j++) if (times[j]! > now - period) inWindow++;
  return inWindow <= intensity;
}

describe('RestartIntensity', () => {
  it('allows `intensity` restarts within a period and refuses the next one', () => {
    const r = new RestartIntensity(3, 1000);
    expect([r.record(0), r.record(10), r.record(20), r.record(30)]).toEqual([true, true, true, false]);
  });

  it('forgets restarts older than the period', () => {
    const r = new RestartIntensity(1, 1000);
    expect(r.record(0)).toBe(true);
    expect(r.record(1000)).toBe(true); // the first one is exactly `period` old: out of the window
    expect(r.record(1500)).toBe(false);
  });

  it('with intensity 0 refuses the first restart', () => {
    expect(new RestartIntensity(0, 5000).record(0)).toBe(false);
  });

  it('refuses a negative or fractional intensity and a period that is not positive', () => {
    expect(() => new RestartIntensity(-1, 10)).toThrow(InvalidArgumentError);
    expect(() => new RestartIntensity(1.5, 10)).toThrow(InvalidArgumentError);
    expect(() => new RestartIntensity(1, 0)).toThrow(InvalidArgumentError);
  });

  it('agrees with the sliding-window definition on any sequence of restart times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }),
        (intensity, period, gaps) => {
          const times: number[] = [];
          let t = 0;
          for (const g of gaps) times.push((t += g));
          const r = new RestartIntensity(intensity, period);
          times.forEach((now, i) => {
            expect(r.record(now)).toBe(modelAllows(times, i, intensity, period));
          });
        },
      ),
    );
  });

  it('keeps agreeing with the definition over thousands of restarts (old entries are compacted away)', () => {
    const r = new RestartIntensity(20, 50);
    const times: number[] = [];
    for (let i = 0; i < 6000; i++) times.push(Math.floor(i * 1.7));
    const answers = times.map((t) => r.record(t));
    const expected = times.map((now, i) => {
      let inWindow = 0;
      for (let j = i; j >= 0 && times[j]! > now - 50; j--) inWindow++;
      return inWindow <= 20;
    });
    expect(answers).toEqual(expected);
    expect(r.recent).toBe(30); // the restarts of the last 50 ms, one every 1.7 ms
  });
});
