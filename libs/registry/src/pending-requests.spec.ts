import { AbortedError, TimeoutError } from '@sdnode/wire';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingRequests } from './pending-requests.js';

describe('PendingRequests', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends each request once: answer, then nothing more', async () => {
    const r = new PendingRequests<string, number>(1000);
    const { req, promise } = r.create('register', 'd', {}, {});
    r.get(req)!.resolve(1);
    r.get(req)?.resolve(2);
    await expect(promise).resolves.toBe(1);
    expect(r.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails requests at their own deadlines with one timer', async () => {
    const r = new PendingRequests<string, number>(1000);
    const long = r.create('register', 'long', { timeout: 5000 }, { name: 'a' });
    const short = r.create('register', 'short', { timeout: 100 }, { name: 'b' });
    const dflt = r.create('register', 'default', {}, {});
    const settled: string[] = [];
    long.promise.catch((e: unknown) => settled.push(`long ${(e as Error).name}`));
    short.promise.catch((e: unknown) => settled.push(`short ${(e as Error).name}`));
    dflt.promise.catch(() => settled.push('default'));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toEqual(['short TimeoutError']);
    await vi.advanceTimersByTimeAsync(900);
    expect(settled).toEqual(['short TimeoutError', 'default']);
    r.get(long.req)!.resolve(7);
    await expect(long.promise).resolves.toBe(7);
    expect(r.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await expect(short.promise).rejects.toBeInstanceOf(TimeoutError);
  });

  it('keeps the timer for the earliest deadline when the first request ends early', async () => {
    const r = new PendingRequests<string, number>(1000);
    const a = r.create('register', 'a', { timeout: 100 }, {});
    const b = r.create('register', 'b', { timeout: 300 }, {});
    const bError = b.promise.catch((e: unknown) => e);
    r.get(a.req)!.resolve(1);
    await vi.advanceTimersByTimeAsync(150);
    expect(r.size).toBe(1);
    await vi.advanceTimersByTimeAsync(150);
    expect(await bError).toBeInstanceOf(TimeoutError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts with the signal, and refuses an aborted signal at once', async () => {
    const r = new PendingRequests<string, number>(1000);
    const ac = new AbortController();
    const p = r.create('register', 'x', { signal: ac.signal }, {});
    ac.abort();
    await expect(p.promise).rejects.toBeInstanceOf(AbortedError);
    expect(r.size).toBe(0);
    const q = r.create('register', 'y', { signal: ac.signal }, {});
    await expect(q.promise).rejects.toBeInstanceOf(AbortedError);
    expect(r.get(q.req)).toBeUndefined();
  });

  it('rejects everything on rejectAll', async () => {
    const r = new PendingRequests<string, number>(1000);
    const ps = [r.create('a', '1', {}, {}), r.create('b', '2', {}, {})];
    r.rejectAll(new Error('stopped'));
    for (const p of ps) await expect(p.promise).rejects.toThrow('stopped');
    expect(vi.getTimerCount()).toBe(0);
  });
});
