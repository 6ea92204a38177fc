import { afterEach, describe, expect, it } from 'vitest';
import type { Pid } from '@sdnode/wire';
import { Ring } from './ring.js';
import { eventually, registryCluster, spawnIdle, type RegistryCluster, type TestMember } from './testing/registry-cluster.test-util.js';

const N = Number(process.env['SDNODE_MOVES_NAMES'] ?? 100_000);

/** Every name is held by its owner in the current view (partitioned mode) with the right pid. */
function missingAtOwners(members: readonly TestMember[], names: Map<string, Pid>): string[] {
  const ring = new Ring(members.map((m) => m.node.name).sort());
  const byName = new Map(members.map((m) => [m.node.name, m] as const));
  const missing: string[] = [];
  for (const [name, pid] of names) {
    const owner = byName.get(ring.owner(name))!;
    if (owner.registry.global.lookup(name)?.pid.equals(pid) !== true) missing.push(name);
  }
  return missing;
}

const stable = (ms: readonly TestMember[]) => () => ms.every((m) => m.registry.global.view().stable && m.registry.global.view().members.length === ms.length);

describe(`${N} names while ownership moves (partitioned mode)`, () => {
  let c: RegistryCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('loses no name when a member joins and another leaves', async () => {
    c = await registryCluster(['a', 'b', 'c'], { encode: false, registry: { global: { mode: 'partitioned', replicas: 1 } } });
    await c.mesh();
    const [a, b, cc] = c.members as [TestMember, TestMember, TestMember];
    await eventually(stable(c.members), 'views of 3', () => c.describe());
    // the pids live on a and c; b only holds names (so it can leave without taking pids along)
    const names = new Map<string, Pid>();
    const homes = [a, cc];
    for (const [i, home] of homes.entries()) {
      const pids = spawnIdle(home.node, N / homes.length);
      const results = await Promise.all(pids.map((p, j) => home.registry.global.register(`name-${i}-${j}`, p, null, { timeout: 60_000 })));
      results.forEach((r, j) => {
        expect(r.ok).toBe(true);
        names.set(`name-${i}-${j}`, pids[j]!);
      });
    }
    await eventually(() => missingAtOwners([a, b, cc], names).length === 0, 'every name at its owner', () => c.describe(), 30_000);

    const d = await c.add('d', { global: { mode: 'partitioned', replicas: 1 } });
    await c.mesh();
    await eventually(stable([a, b, cc, d]), 'views of 4', () => c.describe(), 30_000);
    await eventually(() => missingAtOwners([a, b, cc, d], names).length === 0, 'every name at its owner after d joined', () => c.describe(), 30_000);

    b.registry.removeScope('global'); // b leaves the scope (its node stays up)
    await c.kill(b);
    await eventually(stable([a, cc, d]), 'views of 3 without b', () => c.describe(), 30_000);
    await eventually(() => missingAtOwners([a, cc, d], names).length === 0, 'every name at its owner after b left', () => c.describe(), 30_000);
    // and every member finds every name (sampled: one in a hundred)
    for (const m of [a, cc, d]) {
      let i = 0;
      for (const [name, pid] of names) if (i++ % 100 === 0) expect((await m.registry.global.find(name))?.pid.equals(pid), `${m.node.name} finds ${name}`).toBe(true);
    }
  }, 120_000);
});
