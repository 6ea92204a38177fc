import { describe, expect, it } from 'vitest';
import { AbortedError, TimeoutError } from '@sdnode/wire';
import { waitUntil } from './wait-until.js';

describe('waitUntil', () => {
  it('resolves with the first truthy answer of the condition', async () => {
    let n = 0;
    await expect(waitUntil(() => (++n >= 3 ? { n } : undefined), { interval: 1 })).resolves.toEqual({ n: 3 });
  });

  it('treats a throwing or rejecting check as "not yet"', async () => {
    let n = 0;
    const value = await waitUntil(
      async () => {
        n++;
        if (n < 3) throw new Error('not up yet');
        return 'up';
      },
      { interval: 1 },
    );
    expect(value).toBe('up');
  });

  it('rejects at the deadline with a TimeoutError naming the condition and its last error', async () => {
    const error = await waitUntil(
      () => {
        throw new Error('still down');
      },
      { timeout: 50, interval: 5, what: 'n2 answers' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/waiting until n2 answers \(last check failed: Error: still down\) timed out after 50 ms/);
  });

  it('does not wait for a check that outlives the deadline', async () => {
    const started = Date.now();
    const never = new Promise<boolean>(() => undefined);
    await expect(waitUntil(() => never, { timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects with AbortedError when its signal aborts', async () => {
    const controller = new AbortController();
    const wait = waitUntil(() => false, { timeout: 60_000, interval: 10_000, signal: controller.signal });
    controller.abort();
    await expect(wait).rejects.toBeInstanceOf(AbortedError);
  });
});
