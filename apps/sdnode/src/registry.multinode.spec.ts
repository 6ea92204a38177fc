// The global name registry with real node processes (the harness's local mode): every node is
// `sdnode start`, which runs a Registry; the test drives each node's own registry through its rpc
// functions (RegistryRpc), so every operation goes through that node's protocol.
// Needs the built CLI (`npm test` builds first).
import { describe, expect, it } from 'vitest';
import { isDownMessage } from '@sdnode/core';
import { useCluster } from '@sdnode/harness/vitest';
import { RegistryRpc, type Cluster, type ScopeSummary } from '@sdnode/harness';
import { isNameConflictReason, type RegisterResult } from '@sdnode/registry';
import type { ExitReason, Pid } from '@sdnode/wire';

const NODES = ['r1', 'r2', 'r3', 'r4'];

const whereis = (c: Cluster, node: string, name: string): Promise<Pid | null> => c.rpc<Pid | null>(node, RegistryRpc.whereis, ['global', name], { timeout: 3000 });
const count = (c: Cluster, node: string): Promise<number> => c.rpc<number>(node, RegistryRpc.count, ['global'], { timeout: 3000 });

/** Wait until every running node's global scope is stable with every running node in it. */
async function settled(c: Cluster): Promise<void> {
  const up = c.nodes.filter((n) => n.isUp).map((n) => n.name).sort();
  await c.waitUntil(
    async () => {
      for (const n of up) {
        const scopes = (await c.state(n, { timeout: 3000 })).scopes ?? [];
        const g = scopes.find((s: ScopeSummary) => s.scope === 'global');
        if (g === undefined || g.state !== 'stable' || JSON.stringify([...g.members].sort()) !== JSON.stringify(up)) return false;
      }
      return true;
    },
    { timeout: 20_000, what: `the global scope settled over ${up.join(', ')}` },
  );
}

/** Every node answers `pid` for `name` (null: nobody has it). */
async function everyoneSays(c: Cluster, name: string, pid: Pid | null): Promise<void> {
  await c.waitUntil(
    async () => {
      for (const n of c.nodes.filter((x) => x.isUp)) {
        const got = await whereis(c, n.name, name);
        if (pid === null ? got !== null : got === null || !got.equals(pid)) return false;
      }
      return true;
    },
    { timeout: 20_000, what: `every node resolves ${name} to ${String(pid)}` },
  );
}

describe('the global registry on four node processes', () => {
  const cluster = useCluster({ nodes: NODES, cookie: 'registry-multinode', netTickTime: 4000 });

  it('stays available on both sides of a partition; on heal the first registration wins and the other process exits with name_conflict', async () => {
    const c = cluster();
    await settled(c);
    await c.partition([
      ['r1', 'r2'],
      ['r3', 'r4'],
    ]);
    const p1 = await c.spawn('r1', 'sdnode.echo');
    const p4 = await c.spawn('r4', 'sdnode.echo');
    const r1 = await c.rpc<RegisterResult>('r1', RegistryRpc.register, ['global', 'leader', p1], { timeout: 8000 });
    const r4 = await c.rpc<RegisterResult>('r4', RegistryRpc.register, ['global', 'leader', p4], { timeout: 8000 });
    expect([r1.ok, r4.ok]).toEqual([true, true]);
    // the driver (hidden, reaches every node) watches the loser-to-be
    const loser = c.run(async (ctx) => {
      const ref = ctx.monitor(p4);
      return ctx.receive((m) => (isDownMessage(m) && m.ref.key === ref.key ? m.reason : undefined), { timeout: 40_000 });
    }) as Promise<ExitReason>;
    await c.heal();
    await c.waitForMesh({ timeout: 20_000 });
    await settled(c);
    await everyoneSays(c, 'leader', p1);
    expect(isNameConflictReason(await loser)).toBe(true);
  });

  it('removes every name of a killed node everywhere; a restarted node\'s old pids never resolve again', async () => {
    const c = cluster();
    await settled(c);
    const pids: Pid[] = [];
    for (let i = 0; i < 20; i++) pids.push(await c.spawn('r3', 'sdnode.echo'));
    for (let i = 0; i < 20; i++) expect((await c.rpc<RegisterResult>('r1', RegistryRpc.register, ['global', `svc${i}`, pids[i]])).ok).toBe(true);
    await c.waitUntil(async () => (await count(c, 'r4')) === 20, { timeout: 10_000, what: 'r4 holds the 20 names' });
    await c.kill('r3');
    await c.waitUntil(async () => (await Promise.all(['r1', 'r2', 'r4'].map((n) => count(c, n)))).every((x) => x === 0), {
      timeout: 15_000,
      what: 'the names of r3 gone from r1, r2 and r4',
    });
    await c.restart('r3');
    await c.waitForMesh({ timeout: 20_000 });
    await settled(c);
    for (const n of NODES) expect(await whereis(c, n, 'svc0')).toBeNull();
    // the restarted node takes part again: a name registered there is seen everywhere
    const fresh = await c.spawn('r3', 'sdnode.echo');
    expect((await c.rpc<RegisterResult>('r3', RegistryRpc.register, ['global', 'svc0', fresh])).ok).toBe(true);
    await everyoneSays(c, 'svc0', fresh);
  });
});
