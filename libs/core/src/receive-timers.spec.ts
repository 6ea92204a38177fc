import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReceiveTimers, type TimedEntry } from './receive-timers.js';

function entry(onFire: (e: TimedEntry) => void = () => {}): TimedEntry & { firedAt: number | null } {
  const e = {
    deadline: 0,
    prev: null,
    next: null,
    list: null,
    firedAt: null as number | null,
    fire() {
      e.firedAt = performance.now();
      onFire(e);
    },
  };
  return e;
}

/** Move the faked clock (setTimeout and performance.now) forward, firing what falls due. */
const advance = (ms: number) => vi.advanceTimersByTime(ms);

describe('ReceiveTimers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires an entry once, not before its deadline', async () => {
    const timers = new ReceiveTimers();
    const e = entry();
    const t0 = performance.now();
    timers.arm(e, 20);
    expect(timers.size).toBe(1);
    advance(60);
    expect(e.firedAt).not.toBeNull();
    expect(e.firedAt! - t0).toBeGreaterThanOrEqual(20);
    expect(e.list).toBeNull();
    expect(timers.size).toBe(0);
  });

  it('never fires a cancelled entry, wherever it sits in the list', async () => {
    const timers = new ReceiveTimers();
    const fired: string[] = [];
    const a = entry(() => fired.push('a'));
    const b = entry(() => fired.push('b'));
    const c = entry(() => fired.push('c'));
    const d = entry(() => fired.push('d'));
    for (const e of [a, b, c, d]) timers.arm(e, 10);
    timers.cancel(b); // middle
    timers.cancel(a); // head
    timers.cancel(d); // tail
    timers.cancel(d); // twice: no-op
    expect(timers.size).toBe(1);
    advance(40);
    expect(fired).toEqual(['c']);
  });

  it('fires entries of one duration in arming order and keeps durations apart', async () => {
    const timers = new ReceiveTimers();
    const fired: string[] = [];
    timers.arm(entry(() => fired.push('long')), 300);
    timers.arm(entry(() => fired.push('short1')), 5);
    timers.arm(entry(() => fired.push('short2')), 5);
    advance(30);
    expect(fired).toEqual(['short1', 'short2']);
    advance(350);
    expect(fired).toEqual(['short1', 'short2', 'long']);
  });

  it('re-arms for a later entry when the head was cancelled', async () => {
    const timers = new ReceiveTimers();
    const first = entry();
    timers.arm(first, 15);
    advance(8);
    const second = entry();
    timers.arm(second, 15); // due about 8 ms after the list's timer
    const armedAt = performance.now();
    timers.cancel(first);
    advance(45);
    expect(first.firedAt).toBeNull();
    expect(second.firedAt).not.toBeNull();
    expect(second.firedAt! - armedAt).toBeGreaterThanOrEqual(15 - 1);
  });

  it('re-arming an armed entry moves it', async () => {
    const timers = new ReceiveTimers();
    let count = 0;
    const e = entry(() => count++);
    timers.arm(e, 5);
    timers.arm(e, 300);
    expect(timers.size).toBe(1);
    advance(30);
    expect(count).toBe(0);
    advance(350);
    expect(count).toBe(1);
  });

  it('an entry armed from inside a fire is kept for later', async () => {
    const timers = new ReceiveTimers();
    let count = 0;
    const again = entry(() => count++);
    timers.arm(entry(() => timers.arm(again, 10)), 5);
    advance(50);
    expect(count).toBe(1);
    expect(timers.size).toBe(0);
  });
});
