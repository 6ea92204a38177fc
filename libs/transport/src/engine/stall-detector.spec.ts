import { describe, expect, it } from 'vitest';
import { STALL_FACTOR, StallDetector } from './stall-detector.js';

describe('StallDetector', () => {
  const interval = 100;

  it('judges checks that run on time', () => {
    const d = new StallDetector(interval, 0);
    expect([d.check(100), d.check(200), d.check(300 + interval * (STALL_FACTOR - 1) - 1)]).toEqual(['judge', 'judge', 'judge']);
    expect(d.count).toBe(0);
  });

  it('defers the judgement of a check delayed by a stall of this node, once', () => {
    const d = new StallDetector(interval, 0);
    expect(d.check(100)).toBe('judge');
    expect(d.check(1_100)).toBe('stalled'); // frozen for ~1 s: peers are judged at the next check
    expect(d.check(1_200)).toBe('judge');
    expect(d.count).toBe(1);
  });

  it('never defers two checks in a row, so a loop that is always late still judges', () => {
    const d = new StallDetector(interval, 0);
    expect([d.check(500), d.check(1_000), d.check(1_500), d.check(2_000)]).toEqual(['stalled', 'judge', 'stalled', 'judge']);
  });

  it('starts afresh after reset (a ticker suspended on purpose)', () => {
    const d = new StallDetector(interval, 0);
    d.reset(10_000);
    expect(d.check(10_100)).toBe('judge');
  });
});
