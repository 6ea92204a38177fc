// s_groups in an eight-container cluster driven by @sdnode/harness: every node is
// `sdnode start --config sgroups-cluster.containers.yaml --node nX@nX`. Overlapping groups
// (g1 = n1 n2 n3, g2 = n3 n4 n5, g3 = n5 n6), two free nodes (n7, n8), the hidden test driver.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { RegistryRpc, type Cluster } from '@sdnode/harness';
import { SGroupFunctions, type ChangeResult, type SGroupsInfo } from '@sdnode/sgroups';
import type { RegisterResult } from '@sdnode/registry';
import type { Pid } from '@sdnode/wire';
import { e2eContext, suiteTitle, useHarnessCluster } from './support/index.js';

const ctx = e2eContext();
const CONFIG = fileURLToPath(new URL('./fixtures/sgroups-cluster.containers.yaml', import.meta.url));
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8'];
const full = (n: string): string => `${n}@${n}`;
const EXPECTED: Record<string, string[]> = {
  n1: ['n2', 'n3'],
  n2: ['n1', 'n3'],
  n3: ['n1', 'n2', 'n4', 'n5'],
  n4: ['n3', 'n5'],
  n5: ['n3', 'n4', 'n6'],
  n6: ['n5'],
  n7: ['n8'],
  n8: ['n7'],
};

const visible = async (c: Cluster, n: string): Promise<string[]> => (await c.state(n, { timeout: 5000 })).nodes.slice().sort();
const info = (c: Cluster, n: string): Promise<SGroupsInfo> => c.rpc<SGroupsInfo>(n, SGroupFunctions.info, [], { timeout: 5000 });

async function layoutHolds(c: Cluster, expected: Record<string, string[]>): Promise<void> {
  await c.waitUntil(
    async () => {
      for (const [n, peers] of Object.entries(expected)) if ((await visible(c, n)).join() !== peers.map(full).sort().join()) return false;
      return true;
    },
    { timeout: 60_000, what: 'every node sees exactly the members of its groups (free nodes: the free nodes)' },
  );
}

describe.skipIf(!ctx.available)(suiteTitle(ctx, 's_groups in an eight-container cluster'), () => {
  const cluster = useHarnessCluster({ nodes: NODES, cookie: 'sgroups-e2e', config: CONFIG, netTickTime: 2000, waitForMesh: false });

  it('connects each node to exactly its groups\' members and keeps names per group', async () => {
    const c = cluster();
    await layoutHolds(c, EXPECTED);
    expect((await info(c, 'n3')).kind).toBe('sgroup');
    expect((await info(c, 'n7')).kind).toBe('free');
    const p1 = await c.spawn('n1', 'sdnode.echo');
    const p4 = await c.spawn('n4', 'sdnode.echo');
    expect((await c.rpc<RegisterResult>('n1', RegistryRpc.register, ['g1', 'svc', p1])).ok).toBe(true);
    expect((await c.rpc<RegisterResult>('n4', RegistryRpc.register, ['g2', 'svc', p4])).ok).toBe(true); // same name, other group
    // Names reach the other members of a replicated group scope soon after `ok`, each group on
    // its own: wait for both on the gateway n3 (in g1 and g2), which holds one svc per group.
    await c.waitUntil(async () => (await c.rpc<Pid | null>('n3', RegistryRpc.whereis, ['g1', 'svc']))?.equals(p1) === true, { timeout: 20_000, what: 'n3 resolves g1 svc' });
    await c.waitUntil(async () => (await c.rpc<Pid | null>('n3', RegistryRpc.whereis, ['g2', 'svc']))?.equals(p4) === true, { timeout: 20_000, what: 'n3 resolves g2 svc' });
    expect((await c.rpc<Pid | null>('n3', RegistryRpc.whereis, ['g1', 'svc']))?.equals(p1)).toBe(true);
    // a non-member asks a member of the group
    await expect(c.rpc('n6', SGroupFunctions.whereis, ['g2', 'svc'])).rejects.toThrow(/not a member/); // n6 is not in g2: it does not answer for it
    await c.waitUntil(async () => (await c.rpc<Pid | null>('n5', SGroupFunctions.whereis, ['g2', 'svc']))?.equals(p4) === true, { timeout: 20_000, what: 'n5 resolves g2 svc' });
  });

  it('a node removed while it was down becomes free when it returns; a member restarted while a change happened catches up', async () => {
    const c = cluster();
    await layoutHolds(c, EXPECTED);
    await c.kill('n2');
    const removed = await c.rpc<ChangeResult>('n1', SGroupFunctions.change, ['remove', 'g1', [full('n2')]], { timeout: 15_000 });
    expect(removed.definition.members).toEqual([full('n1'), full('n3')]);
    expect(removed.notReached.map((p) => p.node)).toContain(full('n2'));
    await c.kill('n6');
    const added = await c.rpc<ChangeResult>('n5', SGroupFunctions.change, ['add', 'g3', [full('n4')]], { timeout: 15_000 });
    expect(added.definition.members).toEqual([full('n4'), full('n5'), full('n6')]);
    await c.restart('n2');
    await c.restart('n6');
    await c.waitUntil(async () => (await info(c, 'n2')).kind === 'free', { timeout: 60_000, what: 'n2 free after its restart' });
    await c.waitUntil(async () => (await info(c, 'n6')).ownGroups.find((g) => g.name === 'g3')?.members.includes(full('n4')) === true, { timeout: 60_000, what: 'n6 caught up with g3' });
    await layoutHolds(c, { ...EXPECTED, n1: ['n3'], n2: [], n3: ['n1', 'n4', 'n5'], n4: ['n3', 'n5', 'n6'], n6: ['n4', 'n5'] });
  });

  it('keeps a group available through a partition inside it, and rejoins it after the heal', async () => {
    const c = cluster();
    await layoutHolds(c, EXPECTED);
    await c.partition([['n3'], ['n4', 'n5']]);
    await c.waitUntil(async () => !(await visible(c, 'n4')).includes(full('n3')), { timeout: 30_000, what: 'n4 cut off from n3' });
    const p = await c.spawn('n4', 'sdnode.echo');
    expect((await c.rpc<RegisterResult>('n4', RegistryRpc.register, ['g2', 'during', p], { timeout: 15_000 })).ok).toBe(true);
    await c.heal();
    await layoutHolds(c, EXPECTED);
    await c.waitUntil(async () => (await c.rpc<Pid | null>('n3', RegistryRpc.whereis, ['g2', 'during']))?.equals(p) === true, { timeout: 30_000, what: 'n3 learns the name registered during the partition' });
  });
});
