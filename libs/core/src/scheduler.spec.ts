import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pid } from '@sdnode/wire';
import { Node, defineProcess, type ProcessContext } from './index.js';
import { localNode, waitUntil } from './wait-until.test-util.js';

let node: Node;
beforeEach(async () => {
  node = await localNode();
});
afterEach(async () => {
  await node.stop();
});

describe('scheduler fairness', () => {
  it('a process flooded with 1M messages does not starve timers, I/O callbacks or other processes', async () => {
    const events: string[] = [];
    const N = 1_000_000;
    const Counter = defineProcess('flooded', {
      init: () => 0,
      handle: (_ctx, _msg, n: number) => {
        if (n + 1 === N) events.push('flood done');
        return n + 1;
      },
    });
    const Ticker = defineProcess('ticker', {
      init(ctx: ProcessContext) {
        ctx.sendAfter(1, ctx.self, 'tick');
        return null;
      },
      handle: (_ctx, msg) => {
        events.push(String(msg));
        return null;
      },
    });
    const Echo = defineProcess('echo', {
      init: () => null,
      handle: (_ctx, msg) => {
        events.push(`other process got ${String(msg)}`);
        return null;
      },
    });
    node.spawn(Ticker);
    const other = node.spawn(Echo);
    const flooded = node.spawn(Counter);
    // Wait until the ticker's init has run (its timer is armed) before flooding.
    await waitUntil(() => node.processInfo(flooded)?.status === 'waiting', 'processes started');
    for (let i = 0; i < N; i++) node.send(flooded, i);
    node.send(other, 'hello');
    setImmediate(() => events.push('setImmediate'));
    await waitUntil(() => events.includes('flood done'), 'the flood to be handled', 60_000);
    await waitUntil(() => events.includes('tick'), 'the tick');
    const done = events.indexOf('flood done');
    expect(events.indexOf('other process got hello')).toBeLessThan(done);
    expect(events.indexOf('setImmediate')).toBeLessThan(done);
    expect(events.indexOf('tick')).toBeLessThan(done);
  });

  it('two async processes playing ping-pong do not starve a timer (microtask chains are budgeted)', async () => {
    const events: string[] = [];
    const ROUNDS = 200_000;
    const Pong = defineProcess('pong', async (ctx: ProcessContext) => {
      for (;;) {
        const m = (await ctx.receive()) as { from: Pid; i: number };
        ctx.send(m.from, m.i);
      }
    });
    const pong = node.spawn(Pong);
    const t = setTimeout(() => events.push('timer'), 1);
    const result = node.run(async (ctx) => {
      for (let i = 0; i < ROUNDS; i++) {
        ctx.send(pong, { from: ctx.self, i });
        await ctx.receive();
      }
      events.push('ping-pong done');
    });
    await result;
    clearTimeout(t);
    await waitUntil(() => events.includes('timer'), 'the timer');
    expect(events.indexOf('timer')).toBeLessThan(events.indexOf('ping-pong done'));
  });
});
