import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CalleeExitError, NoConnectionError, NotSendableError, TimeoutError, type Pid } from '@sdnode/wire';
import type { MemoryNetwork } from '@sdnode/transport';
import { Node, defineProcess, isCallMessage, type ProcessContext } from './index.js';
import { memoryCluster, waitUntil } from './wait-until.test-util.js';

/**
 * The call monitor slot (call-monitor.ts): a remote call's monitor lives in the caller's slot,
 * not in `p.monitors`; on the wire it is a plain monitor, so the callee's node must see it come
 * and go exactly as before, whatever way the call ends.
 */

const Echo = defineProcess('echo', {
  init: () => null,
  handle(ctx, msg) {
    if (isCallMessage(msg)) ctx.reply(msg, { echo: msg.request });
    return null;
  },
});

/** Takes calls and never answers; exits on 'stop'. */
const Silent = defineProcess('silent', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

for (const encode of [false, true]) {
  describe(`call monitor slot (encode: ${encode})`, () => {
    let network: MemoryNetwork;
    let a: Node;
    let b: Node;
    let stop: () => Promise<void>;

    beforeEach(async () => {
      const c = await memoryCluster(['a', 'b'], { encode, nodeOptions: { types: [Echo, Silent] } });
      ({ network, stop } = c);
      [a, b] = c.nodes as [Node, Node];
    });
    afterEach(async () => {
      await stop();
    });

    const watchers = (pid: Pid): number | undefined => b.processInfo(pid)?.monitoredBy;

    it('sequential remote calls leave no monitor on either side', async () => {
      const echo = b.spawn(Echo);
      const got = await a.run(async (ctx) => {
        const out: unknown[] = [];
        for (let i = 0; i < 20; i++) out.push(await ctx.call(echo, i));
        return { out, monitors: a.processInfo(ctx.self)?.monitors.length };
      });
      expect(got.out).toEqual(Array.from({ length: 20 }, (_, i) => ({ echo: i })));
      expect(got.monitors).toBe(0);
      await waitUntil(() => watchers(echo) === 0, 'the callee holds no monitor');
    });

    it('a request that cannot be sent rejects the call and leaves no monitor; the next call works', async () => {
      const echo = b.spawn(Echo);
      const got = await a.run(async (ctx) => {
        const error = await ctx.call(echo, { f: () => 1 }).catch((e: unknown) => e);
        const next = await ctx.call(echo, 'next');
        return { error, next, monitors: a.processInfo(ctx.self)?.monitors.length };
      });
      if (encode) expect(got.error).toBeInstanceOf(NotSendableError);
      expect(got.next).toEqual({ echo: 'next' });
      expect(got.monitors).toBe(0);
      await waitUntil(() => watchers(echo) === 0, 'the callee holds no monitor');
    });

    it('a timed-out call demonitors, and its late reply never reaches the mailbox', async () => {
      const silent = b.spawn(Silent);
      const got = await a.run(async (ctx) => {
        const error = await ctx.call(silent, 'hello?', { timeout: 50 }).catch((e: unknown) => e);
        await waitUntil(() => watchers(silent) === 0, 'DEMONITOR reached b');
        return { error, queued: a.processInfo(ctx.self)?.messageQueueLength };
      });
      expect(got.error).toBeInstanceOf(TimeoutError);
      expect(got.queued).toBe(0);
    });

    it('a caller that exits during a call sends DEMONITOR', async () => {
      const silent = b.spawn(Silent);
      const caller = a.spawn(
        defineProcess('caller', async (ctx: ProcessContext) => {
          await ctx.call(silent, 'wait', { timeout: 60_000 });
        }),
      );
      await waitUntil(() => watchers(silent) === 1, 'the call monitor reached b');
      a.exit(caller, { kind: 'kill' });
      await waitUntil(() => watchers(silent) === 0, 'the dead caller left no monitor on b');
    });

    it('the callee exiting or its node going down ends the call with DOWN', async () => {
      const silent = b.spawn(Silent);
      const first = a.call(silent, 'x', { timeout: 10_000 }).catch((e: unknown) => e);
      await waitUntil(() => watchers(silent) === 1, 'monitored');
      b.exit(silent, { kind: 'shutdown' });
      expect(await first).toBeInstanceOf(CalleeExitError);
      const other = b.spawn(Silent);
      const second = a.call(other, 'x', { timeout: 10_000 }).catch((e: unknown) => e);
      await waitUntil(() => watchers(other) === 1, 'monitored');
      network.partition(a.name, b.name);
      expect(await second).toBeInstanceOf(NoConnectionError);
    });
  });
}
