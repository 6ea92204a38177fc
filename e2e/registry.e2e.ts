// The global name registry in a five-container cluster driven by @sdnode/harness: a name
// registered on both sides of an iptables partition is resolved on heal (the first registration
// wins, the other process exits with name_conflict, every node agrees); a killed container's
// names disappear from every other node. Each node is `sdnode start`, which runs a Registry; the
// test uses each node's own registry through its rpc functions.
import { describe, expect, it } from 'vitest';
import { isDownMessage } from '@sdnode/core';
import { RegistryRpc, type Cluster } from '@sdnode/harness';
import { isNameConflictReason, type RegisterResult } from '@sdnode/registry';
import type { ExitReason, Pid } from '@sdnode/wire';
import { e2eContext, suiteTitle, useHarnessCluster } from './support/index.js';

const ctx = e2eContext();
const TICK_MS = 2_000;
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

const whereis = (c: Cluster, node: string, name: string): Promise<Pid | null> => c.rpc<Pid | null>(node, RegistryRpc.whereis, ['global', name], { timeout: 5000 });
const count = (c: Cluster, node: string): Promise<number> => c.rpc<number>(node, RegistryRpc.count, ['global'], { timeout: 5000 });

async function everyoneSays(c: Cluster, nodes: readonly string[], name: string, pid: Pid): Promise<void> {
  await c.waitUntil(
    async () => {
      for (const n of nodes) if ((await whereis(c, n, name))?.equals(pid) !== true) return false;
      return true;
    },
    { timeout: 60_000, what: `${nodes.join(', ')} resolve ${name} to ${String(pid)}` },
  );
}

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'the global registry in a five-container cluster'), () => {
  const cluster = useHarnessCluster({ nodes: 5, netTickTime: TICK_MS });

  it('resolves a name registered on both sides of a partition when it heals', async () => {
    const c = cluster();
    await c.partition([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    const a = await c.spawn('n1', 'sdnode.echo');
    const b = await c.spawn('n4', 'sdnode.echo');
    // Each side registers once the cut is seen (a side's owner decides for it alone).
    await c.waitUntil(async () => (await c.connectedNodes('n1')).every((n) => n.startsWith('n2@')), { timeout: 30_000, what: 'n1 cut off' });
    await c.waitUntil(async () => (await c.connectedNodes('n4')).every((n) => !n.startsWith('n1@') && !n.startsWith('n2@')), { timeout: 30_000, what: 'n4 cut off' });
    const ra = await c.rpc<RegisterResult>('n1', RegistryRpc.register, ['global', 'leader', a], { timeout: 15_000 });
    const rb = await c.rpc<RegisterResult>('n4', RegistryRpc.register, ['global', 'leader', b], { timeout: 15_000 });
    expect([ra.ok, rb.ok]).toEqual([true, true]);
    await everyoneSays(c, ['n1', 'n2'], 'leader', a);
    await everyoneSays(c, ['n3', 'n4', 'n5'], 'leader', b);
    const loser = c.run(async (pctx) => {
      const ref = pctx.monitor(b);
      return (await pctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 90_000 })).reason;
    }) as Promise<ExitReason>;
    await c.heal();
    await c.waitForMesh({ timeout: 60_000 });
    await everyoneSays(c, NODES, 'leader', a);
    expect(isNameConflictReason(await loser)).toBe(true);
  });

  it('forgets every name of a killed node on every other node', async () => {
    const c = cluster();
    const pids: Pid[] = [];
    for (let i = 0; i < 50; i++) pids.push(await c.spawn('n3', 'sdnode.echo'));
    for (let i = 0; i < 50; i++) expect((await c.rpc<RegisterResult>('n2', RegistryRpc.register, ['global', `w${i}`, pids[i]])).ok).toBe(true);
    const others = NODES.filter((n) => n !== 'n3');
    await c.waitUntil(async () => (await Promise.all(others.map((n) => count(c, n)))).every((x) => x === 50), { timeout: 30_000, what: 'every node holds the 50 names' });
    await c.kill('n3');
    await c.waitUntil(async () => (await Promise.all(others.map((n) => count(c, n)))).every((x) => x === 0), { timeout: 30_000, what: 'the names of n3 gone everywhere' });
  });
});
