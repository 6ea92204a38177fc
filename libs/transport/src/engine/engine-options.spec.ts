import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sdnode/wire';
import { DEFAULT_NET_TICK_TIME, resolveLimits } from './engine-options.js';

describe('resolveLimits', () => {
  it('applies the defaults and ticks every quarter of netTickTime', () => {
    const limits = resolveLimits({ name: 'a@h', cookie: 'c' });
    expect(limits.netTickTime).toBe(DEFAULT_NET_TICK_TIME);
    expect(limits.tickInterval).toBe(DEFAULT_NET_TICK_TIME / 4);
    expect(limits.maxBatchBytes).toBeLessThanOrEqual(limits.maxMessageBytes);
  });

  it('rejects bad names, empty cookies and nonsensical limits with InvalidArgumentError', () => {
    const bad = [
      { name: 'no-host', cookie: 'c' },
      { name: 'a@h', cookie: '' },
      { name: 'a@h', cookie: 'c', netTickTime: 0 },
      { name: 'a@h', cookie: 'c', maxMessageBytes: 100.5 },
      { name: 'a@h', cookie: 'c', maxQueueBytes: -1 },
      { name: 'a@h', cookie: 'c', creation: -3 },
    ];
    for (const options of bad) expect(() => resolveLimits(options)).toThrow(InvalidArgumentError);
  });

  it('never lets a batch be larger than a message', () => {
    expect(resolveLimits({ name: 'a@h', cookie: 'c', maxMessageBytes: 4096 }, 1 << 20).maxBatchBytes).toBe(4096);
  });
});
