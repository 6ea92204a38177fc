import { afterEach, describe, expect, it } from 'vitest';
import { VIRTUAL_EPOCH, VirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  let clock: VirtualClock | null = null;
  afterEach(() => {
    clock?.uninstall();
    clock = null;
  });

  it('runs timers in order of due time, then of scheduling, and immediates first', async () => {
    clock = new VirtualClock().install();
    const seen: string[] = [];
    setTimeout(() => seen.push('t20'), 20);
    setTimeout(() => seen.push('t10a'), 10);
    setTimeout(() => seen.push('t10b'), 10);
    setImmediate(() => seen.push('imm'));
    await clock.advance(100);
    expect(seen).toEqual(['imm', 't10a', 't10b', 't20']);
    expect(Date.now()).toBe(VIRTUAL_EPOCH + 100);
    expect(performance.now()).toBe(100);
  });

  it('repeats intervals and honours clear', async () => {
    clock = new VirtualClock().install();
    let ticks = 0;
    const t = setInterval(() => {
      ticks++;
      if (ticks === 3) clearInterval(t);
    }, 10);
    const never = setTimeout(() => (ticks = -100), 5);
    clearTimeout(never);
    await clock.advance(100);
    expect(ticks).toBe(3);
  });

  it("lets a callback's promise jobs and nextTicks run before the next callback", async () => {
    clock = new VirtualClock().install();
    const seen: string[] = [];
    setTimeout(() => {
      void Promise.resolve()
        .then(() => seen.push('a: job 1'))
        .then(() => seen.push('a: job 2'));
      process.nextTick(() => seen.push('a: tick'));
    }, 10);
    setTimeout(() => seen.push('b'), 10);
    await clock.advance(10);
    expect(seen).toEqual(['a: tick', 'a: job 1', 'a: job 2', 'b']);
  });

  it('runs until a promise settles, in virtual time only', async () => {
    clock = new VirtualClock().install();
    const wall = process.hrtime.bigint();
    const value = await clock.until(new Promise<string>((resolve) => setTimeout(() => resolve('done'), 3_600_000)), 4_000_000);
    expect(value).toBe('done');
    expect(Date.now() - VIRTUAL_EPOCH).toBe(3_600_000);
    expect(Number(process.hrtime.bigint() - wall) / 1e6).toBeLessThan(5000);
    await expect(clock.until(new Promise(() => undefined), 1000)).rejects.toThrow(/nothing settled/);
  });

  it('restores the real timers and clocks when uninstalled', () => {
    const real = globalThis.setTimeout;
    const realNow = Date.now;
    clock = new VirtualClock().install();
    expect(globalThis.setTimeout).not.toBe(real);
    clock.uninstall();
    expect(globalThis.setTimeout).toBe(real);
    expect(Date.now).toBe(realNow);
    expect(Math.abs(performance.now() - (Date.now() - performance.timeOrigin))).toBeLessThan(1000);
  });
});
