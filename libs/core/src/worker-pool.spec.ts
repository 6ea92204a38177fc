import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, NodeStoppedError, TimeoutError, WorkerTaskError } from '@sdnode/wire';
import { WorkerPool } from './worker-pool.js';
import { localNode } from './wait-until.test-util.js';

const fixture = new URL('./fixtures/cpu-work.mjs', import.meta.url);

describe('WorkerPool', () => {
  let pool: WorkerPool;
  beforeEach(() => {
    pool = new WorkerPool('w@127.0.0.1', { size: 2 });
  });
  afterEach(async () => {
    await pool.close();
  });

  it('runs an exported function in a worker thread and returns its result', async () => {
    expect(await pool.run(fixture, 'fib', [20])).toBe(6765);
    expect(await pool.run(fixture, 'echoLater', [{ a: [1, 2] }])).toEqual({ a: [1, 2] });
    expect(pool.threads).toBeGreaterThan(0);
  });

  it('rejects with WorkerTaskError when the function throws or the export is missing', async () => {
    const err = await pool.run(fixture, 'fail', ['nope']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerTaskError);
    expect((err as WorkerTaskError).error).toMatchObject({ name: 'RangeError', message: 'nope' });
    await expect(pool.run(fixture, 'missing')).rejects.toBeInstanceOf(WorkerTaskError);
  });

  it('a timeout terminates a runaway function and the pool keeps working', async () => {
    await expect(pool.run(fixture, 'spin', [], { timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    const ac = new AbortController();
    const spinning = pool.run(fixture, 'spin', [], { signal: ac.signal });
    ac.abort();
    await expect(spinning).rejects.toBeInstanceOf(AbortedError);
    expect(await pool.run(fixture, 'fib', [10])).toBe(55);
  });

  it('runs more tasks than threads by queueing them', async () => {
    const results = await Promise.all([15, 16, 17, 18, 19].map((n) => pool.run<number>(fixture, 'fib', [n])));
    expect(results).toEqual([610, 987, 1597, 2584, 4181]);
    expect(pool.threads).toBeLessThanOrEqual(2);
  });

  it('refuses work after close', async () => {
    await pool.close();
    await expect(pool.run(fixture, 'fib', [1])).rejects.toBeInstanceOf(NodeStoppedError);
  });

  it('is available as node.workers and usable from a process', async () => {
    const node = await localNode('wn@127.0.0.1', { workers: { size: 1 } });
    try {
      const v = await node.run((ctx) => ctx.node.workers.run<number>(fixture, 'fib', [22]));
      expect(v).toBe(17711);
    } finally {
      await node.stop();
    }
  });
});
