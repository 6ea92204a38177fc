// Implicit process placement in a six-container cluster driven by @sdnode/harness: every node is
// `sdnode start --config placement-cluster.containers.yaml --node nX@nX --module placement-node.mjs`
// in its own container. Two zones (z1: n1 n2 n3, z2: n4 n5 n6) of three racks, one host per rack;
// the file's policies are decided on the nodes (PlacementRpc). One cluster for the file (the
// tests run in order; the last one kills a node).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { PlacementRpc, type Cluster } from '@sdnode/harness';
import { isPid, type Pid } from '@sdnode/wire';
import { e2eContext, suiteTitle, useHarnessCluster } from './support/index.js';

const ctx = e2eContext();
const CONFIG = fileURLToPath(new URL('./fixtures/placement-cluster.containers.yaml', import.meta.url));
const MODULE = fileURLToPath(new URL('../apps/sdnode/src/fixtures/placement-node.mjs', import.meta.url));
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
const full = (n: string): string => `${n}@${n}`;
const ZONE: Record<string, string> = { n1: 'z1', n2: 'z1', n3: 'z1', n4: 'z2', n5: 'z2', n6: 'z2' };
const zoneOf = (node: string): string => ZONE[node.slice(0, node.indexOf('@'))]!;

/** Wait until every node's placement view holds all six nodes (their reports and round trips arrived). */
async function everyoneKnowsEveryone(c: Cluster, placement: PlacementRpc): Promise<void> {
  await c.waitUntil(
    async () => {
      for (const n of NODES) {
        const view = await placement.nodes(n, { timeout: 5000 });
        if (view.length !== NODES.length || view.some((r) => r.node !== full(n) && r.rtt === null)) return false;
      }
      return true;
    },
    { timeout: 30_000, what: 'every node knows the six nodes and their round trips' },
  );
}

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'placement in a six-container cluster of two zones and six racks'), () => {
  const cluster = useHarnessCluster({ nodes: NODES, cookie: 'placement-e2e', config: CONFIG, module: MODULE, netTickTime: 2000 }, { per: 'suite' });

  it('near a node within its zone chooses only that zone\'s nodes; spread puts one per zone, and one per rack', async () => {
    const c = cluster();
    const placement = new PlacementRpc(c);
    await everyoneKnowsEveryone(c, placement);
    // Asked on n1 (zone z1): within the zone of n4 is z2.
    expect(new Set(await placement.choose('n1', 'zone-of-n4', 40))).toEqual(new Set(['n4', 'n5', 'n6'].map(full)));
    const ex = await placement.explain('n1', 'zone-of-n4');
    expect(ex.candidates.filter((x) => x.excludedBy !== undefined).map((x) => [x.node, x.excludedBy])).toEqual(
      ['n1', 'n2', 'n3'].map((n) => [full(n), 'not within zone of node n4@n4']),
    );
    for (const asker of ['n1', 'n5']) {
      for (let i = 0; i < 5; i++) {
        const two = await placement.choose(asker, 'one-per-zone');
        expect(two.map(zoneOf).sort()).toEqual(['z1', 'z2']);
      }
    }
    const six = await placement.choose('n3', 'one-per-rack');
    expect(six.slice().sort()).toEqual(NODES.map(full));
  });

  it('stops choosing the nearest node of the zone once its measured round trip grows (cluster.delay)', async () => {
    const c = cluster();
    const placement = new PlacementRpc(c);
    await everyoneKnowsEveryone(c, placement);
    const rtt = async (of: string): Promise<number | null> => (await placement.nodes('n1')).find((r) => r.node === of)?.rtt ?? null;
    // From n1, n2 and n3 are at the same distance (the same zone, other racks): the round trip decides.
    const [nearest] = await placement.choose('n1', 'nearest-in-zone');
    expect([full('n2'), full('n3')]).toContain(nearest);
    const other = nearest === full('n2') ? full('n3') : full('n2');
    await c.delay(nearest!, 50);
    try {
      await c.waitUntil(async () => ((await rtt(nearest!)) ?? 0) > 25 && ((await rtt(other)) ?? 99) < 25, { timeout: 20_000, what: `n1 measures ${nearest} slow and ${other} fast` });
      for (let i = 0; i < 10; i++) expect(await placement.choose('n1', 'nearest-in-zone')).toEqual([other]);
      const ex = await placement.explain('n1', 'nearest-in-zone');
      const score = (n: string) => ex.candidates.find((x) => x.node === n)?.score ?? -1;
      expect(score(nearest!)).toBeGreaterThan(score(other));
    } finally {
      await c.delay(nearest!, 0);
    }
  });

  it('restarts a placed supervised child on another worker when its node is killed', async () => {
    const c = cluster();
    const placement = new PlacementRpc(c);
    await everyoneKnowsEveryone(c, placement);
    // The supervisor runs on n1; its child goes to the first worker by name, n2.
    await c.rpc('n1', 'placement.test.supervise', ['first-worker'], { timeout: 10_000 });
    const child = async (): Promise<Pid | null> => {
      const pid = await c.rpc<unknown>('n1', 'placement.test.child', [], { timeout: 5000 });
      return isPid(pid) ? pid : null;
    };
    expect((await child())?.node).toBe(full('n2'));
    await c.kill('n2');
    const moved = await c.waitUntil(
      async () => {
        const pid = await child();
        return pid !== null && pid.node !== full('n2') ? pid : false;
      },
      { timeout: 30_000, what: 'the placed child restarted away from n2' },
    );
    expect(moved.node).toBe(full('n3'));
    expect((await c.processes('n3')).some((p) => p.pid.equals(moved))).toBe(true);
    expect(await placement.known('n1')).not.toContain(full('n2'));
  });
});
