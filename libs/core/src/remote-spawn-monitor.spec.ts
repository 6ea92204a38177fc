import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TimeoutError, type ExitReason } from '@sdnode/wire';
import type { MemoryNetwork } from '@sdnode/transport';
import { Node, defineProcess, isDownMessage, type ProcessContext } from './index.js';
import { memoryCluster, waitUntil } from './wait-until.test-util.js';

/** Ends at once, normally. */
const Quick = defineProcess('quick', async () => undefined);

/** Crashes at once. */
const Doomed = defineProcess('doomed', async () => {
  throw new Error('died at birth');
});

/** Waits for 'stop'. */
const Idle = defineProcess('idle', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

const types = [Quick, Doomed, Idle];

function downOf(ctx: ProcessContext, ref: { key: string }): Promise<ExitReason> {
  return ctx.receive((m) => (isDownMessage(m) && m.ref.key === ref.key ? m.reason : undefined), { timeout: 3000 });
}

for (const encode of [false, true]) {
  describe(`spawnRemote with monitor (encode: ${encode})`, () => {
    let network: MemoryNetwork;
    let a: Node;
    let b: Node;
    let stop: () => Promise<void>;

    beforeEach(async () => {
      const c = await memoryCluster(['a', 'b'], { encode, nodeOptions: { types } });
      ({ network, stop } = c);
      [a, b] = c.nodes as [Node, Node];
    });
    afterEach(async () => {
      await stop();
    });

    it('reports the real reason of a child that exits at once, not noproc', async () => {
      const got = await a.run(async (ctx) => {
        const normal = await ctx.spawnRemote(b.name, 'quick', [], { monitor: true });
        const crashed = await ctx.spawnRemote(b.name, 'doomed', [], { monitor: true });
        return { normal: await downOf(ctx, normal.ref), crashed: await downOf(ctx, crashed.ref) };
      });
      expect(got.normal).toEqual({ kind: 'normal' });
      expect(got.crashed).toMatchObject({ kind: 'error', error: { message: 'died at birth' } });
    });

    it('sets the monitor up on the spawning node, with the ref it returns', async () => {
      const got = await a.run(async (ctx) => {
        const { pid, ref } = await ctx.spawnRemote(b.name, 'idle', [], { monitor: true });
        const watchedBy = b.processInfo(pid)?.monitoredBy;
        const held = a.processInfo(ctx.self)?.monitors.map((r) => r.key);
        ctx.send(pid, 'stop');
        return { watchedBy, held, refKey: ref.key, down: await downOf(ctx, ref) };
      });
      expect(got.watchedBy).toBe(1);
      expect(got.held).toEqual([got.refKey]);
      expect(got.down).toEqual({ kind: 'normal' });
    });

    it('also works for a spawn on the own node', async () => {
      const got = await a.run(async (ctx) => {
        const { ref } = await ctx.spawnRemote(a.name, 'doomed', [], { monitor: true });
        return downOf(ctx, ref);
      });
      expect(got).toMatchObject({ kind: 'error' });
    });

    it('removes the monitor on the spawning node when the requester gave up before the reply', async () => {
      await a.connect(b.name, { timeout: 3000 });
      network.freeze(b.name);
      const err = await a
        .run((ctx) => ctx.spawnRemote(b.name, 'idle', [], { monitor: true, timeout: 20 }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      network.thaw(b.name);
      await waitUntil(() => b.processes().some((p) => b.processInfo(p)?.type === 'idle'), 'child spawned after the thaw');
      const child = b.processes().find((p) => b.processInfo(p)?.type === 'idle')!;
      await waitUntil(() => b.processInfo(child)?.monitoredBy === 0, 'abandoned monitor removed');
    });
  });
}
