import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AbortedError, InvalidArgumentError, TimeoutError, type Pid } from '@sdnode/wire';
import { Node, defineProcess, type ProcessContext } from './index.js';
import { localNode } from './wait-until.test-util.js';

let node: Node;
beforeEach(async () => {
  node = await localNode();
});
afterEach(async () => {
  await node.stop();
});

describe('mailbox', () => {
  it('delivers messages from one sender in the order they were sent', async () => {
    const got = await node.run(async (ctx) => {
      for (let i = 0; i < 100; i++) ctx.send(ctx.self, i);
      const out: unknown[] = [];
      for (let i = 0; i < 100; i++) out.push(await ctx.receive());
      return out;
    });
    expect(got).toEqual([...Array(100).keys()]);
  });

  it('selective receive takes the first matching message and leaves the others in order', async () => {
    const got = await node.run(async (ctx) => {
      for (const m of ['a', 1, 'b', 2, 'c']) ctx.send(ctx.self, m);
      const n = await ctx.receive((m) => (typeof m === 'number' ? m : undefined));
      const rest: unknown[] = [];
      for (let i = 0; i < 4; i++) rest.push(await ctx.receive());
      return { n, rest };
    });
    expect(got).toEqual({ n: 1, rest: ['a', 'b', 2, 'c'] });
  });

  it('a waiting selective receive is satisfied by a later matching message, skipping non-matching ones', async () => {
    const got = await node.run(async (ctx) => {
      const self = ctx.self;
      ctx.spawnFn(async (c) => {
        c.send(self, 'noise-1');
        c.send(self, 'noise-2');
        c.send(self, { wanted: 42 });
      });
      const v = await ctx.receive((m) => (typeof m === 'object' && m !== null && 'wanted' in m ? (m as { wanted: number }).wanted : undefined), {
        timeout: 2000,
      });
      return [v, await ctx.receive(), await ctx.receive()];
    });
    expect(got).toEqual([42, 'noise-1', 'noise-2']);
  });

  it('a receive with a timeout rejects with TimeoutError when nothing matches', async () => {
    const err = await node.run(async (ctx) => {
      ctx.send(ctx.self, 'not it');
      return ctx.receive((m) => (m === 'it' ? m : undefined), { timeout: 20 }).catch((e: unknown) => e);
    });
    expect(err).toBeInstanceOf(TimeoutError);
  });

  it('timeout 0 only looks at the mailbox as it is (Erlang after 0)', async () => {
    const got = await node.run(async (ctx) => {
      ctx.send(ctx.self, 'x');
      const present = await ctx.receive(undefined, { timeout: 0 });
      const absent = await ctx.receive(undefined, { timeout: 0, onTimeout: () => 'empty' });
      return [present, absent];
    });
    expect(got).toEqual(['x', 'empty']);
  });

  it('onTimeout resolves the receive with its value instead of rejecting', async () => {
    const got = await node.run((ctx) => ctx.receive((m) => (m === 'never' ? m : undefined), { timeout: 10, onTimeout: () => 'after' }));
    expect(got).toBe('after');
  });

  it('an aborted receive rejects with AbortedError', async () => {
    const ac = new AbortController();
    const err = await node.run(async (ctx) => {
      const p = ctx.receive(undefined, { signal: ac.signal }).catch((e: unknown) => e);
      ac.abort();
      return p;
    });
    expect(err).toBeInstanceOf(AbortedError);
  });

  it('a second concurrent receive in one process is refused', async () => {
    const err = await node.run(async (ctx) => {
      void ctx.receive(undefined, { timeout: 50 }).catch(() => undefined);
      return ctx.receive().catch((e: unknown) => e);
    });
    expect(err).toBeInstanceOf(InvalidArgumentError);
  });

  it('a message to a dead pid is dropped silently', async () => {
    const pid = node.spawnFn(() => undefined);
    await node.run(async (ctx) => {
      const ref = ctx.monitor(pid);
      await ctx.receive((m) => ((m as { ref?: unknown }).ref === ref ? m : undefined), { timeout: 1000 });
    });
    expect(() => node.send(pid, 'hello')).not.toThrow();
    expect(node.processInfo(pid)).toBeUndefined();
  });

  it('selective receive keeps every unmatched message in arrival order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), fc.integer({ min: 0, max: 20 }), async (msgs, wanted) => {
        const got = await node.run(async (ctx) => {
          for (const m of msgs) ctx.send(ctx.self, m);
          const taken = await ctx.receive((m) => (m === wanted ? m : undefined), { timeout: 0, onTimeout: () => 'none' });
          const rest: unknown[] = [];
          for (;;) {
            const m = await ctx.receive(undefined, { timeout: 0, onTimeout: () => 'end' });
            if (m === 'end') break;
            rest.push(m);
          }
          return { taken, rest };
        });
        const i = msgs.indexOf(wanted);
        expect(got.taken).toBe(i >= 0 ? wanted : 'none');
        const expected = i >= 0 ? [...msgs.slice(0, i), ...msgs.slice(i + 1)] : msgs;
        expect(got.rest).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('a large mailbox (several segments) keeps order through selective receives and flushes (property)', async () => {
    const N = 10_000; // more than two mailbox segments
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: N - 1 }), { maxLength: 12 }), async (picks) => {
        const got = await node.run(async (ctx) => {
          for (let i = 0; i < N; i++) ctx.send(ctx.self, i);
          const taken: number[] = [];
          for (const v of picks) taken.push(await ctx.receive((m) => (m === v ? m : undefined), { timeout: 0 }));
          const pending = node.processInfo(ctx.self)!.messageQueueLength;
          const rest: unknown[] = [];
          for (;;) {
            const m = await ctx.receive(undefined, { timeout: 0, onTimeout: () => 'end' });
            if (m === 'end') break;
            rest.push(m);
          }
          return { taken, pending, rest };
        });
        expect(got.taken).toEqual(picks);
        expect(got.pending).toBe(N - picks.length);
        const picked = new Set(picks);
        expect(got.rest).toEqual([...Array(N).keys()].filter((i) => !picked.has(i)));
      }),
      { numRuns: 25 },
    );
  });

  it('a callback process handles a flood spanning many segments in order', async () => {
    const N = 50_000;
    const Checker = defineProcess('checker', {
      init: (_ctx: ProcessContext, owner: Pid) => ({ owner, next: 0, bad: 0 }),
      handle(ctx, msg, s) {
        if (msg !== s.next) s.bad++;
        if (++s.next === N) ctx.send(s.owner, s.bad);
        return s;
      },
    });
    const bad = await node.run(async (ctx) => {
      const c = ctx.spawn(Checker, ctx.self);
      for (let i = 0; i < N; i++) ctx.send(c, i);
      return ctx.receive(undefined, { timeout: 10_000 });
    });
    expect(bad).toBe(0);
  });

  it('a waiting selective receive finds a match that arrives behind a full segment', async () => {
    const got = await node.run(async (ctx) => {
      const self = ctx.self;
      const waiting = ctx.receive((m) => (m === 'needle' ? m : undefined), { timeout: 5000 });
      ctx.spawnFn(async (c) => {
        for (let i = 0; i < 9000; i++) c.send(self, i);
        c.send(self, 'needle');
      });
      const needle = await waiting;
      ctx.demonitor(ctx.monitor(ctx.self), { flush: true }); // flush across segments keeps the rest
      return { needle, pending: node.processInfo(ctx.self)!.messageQueueLength, first: await ctx.receive(), };
    });
    expect(got).toEqual({ needle: 'needle', pending: 9000, first: 0 });
  });
});
