import { afterEach, describe, expect, it } from 'vitest';
import { isDownMessage } from '@sdnode/core';
import type { ExitReason, Pid } from '@sdnode/wire';
import { isNameConflictReason } from './index.js';
import { eventually, registryCluster, spawnIdle, type RegistryCluster, type TestMember } from './testing/registry-cluster.test-util.js';

const stableWith = (c: RegistryCluster, ms: TestMember[], n: number) => () =>
  ms.every((m) => m.registry.global.view().stable && m.registry.global.view().members.length === n);

/** Watch `pid` from a process on its node; resolves with its exit reason. */
function exitReasonOf(m: TestMember, pid: Pid): Promise<ExitReason> {
  return m.node.run(async (ctx) => {
    const ref = ctx.monitor(pid);
    return ctx.receive((x) => (isDownMessage(x) && x.ref.key === ref.key ? x.reason : undefined), { timeout: 10_000 });
  });
}

describe('partitions and merges', () => {
  let c: RegistryCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('keeps both sides available, then resolves a name registered on both: the first registered wins, the other exits', async () => {
    c = await registryCluster(['a', 'b', 'c', 'd']);
    await c.mesh();
    const [a, b, cc, d] = c.members as [TestMember, TestMember, TestMember, TestMember];
    await eventually(stableWith(c, c.members, 4), 'views of 4', () => c.describe());
    for (const x of [a, b]) for (const y of [cc, d]) c.network.partition(x.node.name, y.node.name);
    await eventually(stableWith(c, [a, b], 2) , 'side ab', () => c.describe());
    await eventually(stableWith(c, [cc, d], 2), 'side cd', () => c.describe());
    const [p1] = spawnIdle(a.node);
    const [p2] = spawnIdle(d.node);
    const r1 = await a.registry.global.register('dup', p1!);
    const r2 = await d.registry.global.register('dup', p2!);
    expect(r1.ok && r2.ok).toBe(true);
    // names only on one side stay
    const [q] = spawnIdle(cc.node);
    await cc.registry.global.register('only-cd', q!);
    const loser = exitReasonOf(d, p2!);
    for (const x of [a, b]) for (const y of [cc, d]) c.network.heal(x.node.name, y.node.name);
    await c.mesh();
    await eventually(stableWith(c, c.members, 4), 'views of 4 after heal', () => c.describe());
    const reason = await loser;
    expect(isNameConflictReason(reason)).toBe(true);
    await eventually(() => c.members.every((m) => m.registry.global.whereis('dup')?.equals(p1!) === true), 'everyone agrees on dup -> p1', () => c.describe());
    await eventually(() => c.members.every((m) => m.registry.global.whereis('only-cd')?.equals(q!) === true), 'only-cd everywhere', () => c.describe());
    expect(a.node.processInfo(p1!)).toBeDefined();
  });

  it('with unregisterBoth, nobody keeps a conflicting name and both processes live on', async () => {
    c = await registryCluster(['a', 'b'], { registry: { global: { resolver: 'unregisterBoth' } } });
    const [a, b] = c.members as [TestMember, TestMember];
    const [p1] = spawnIdle(a.node);
    const [p2] = spawnIdle(b.node);
    expect((await a.registry.global.register('dup', p1!)).ok).toBe(true);
    expect((await b.registry.global.register('dup', p2!)).ok).toBe(true);
    await c.mesh();
    await eventually(stableWith(c, c.members, 2), 'joined', () => c.describe());
    await eventually(() => c.members.every((m) => m.registry.global.whereis('dup') === undefined), 'dup unregistered everywhere', () => c.describe());
    expect(a.node.processInfo(p1!)).toBeDefined();
    expect(b.node.processInfo(p2!)).toBeDefined();
  });

  it('a restarted node is a new incarnation: its old pids never resolve again', async () => {
    c = await registryCluster(['a', 'b']);
    await c.mesh();
    const [a, b] = c.members as [TestMember, TestMember];
    await eventually(stableWith(c, c.members, 2), 'views', () => c.describe());
    const [old] = spawnIdle(b.node);
    await b.registry.global.register('svc', old!);
    await eventually(() => a.registry.global.whereis('svc') !== undefined, 'a sees svc');
    await c.kill(b);
    await eventually(() => a.registry.global.whereis('svc') === undefined, 'svc gone with b', () => c.describe());
    const b2 = await c.add('b');
    await c.mesh();
    await eventually(() => stableWith(c, [a, b2], 2)(), 'b2 joined', () => c.describe());
    expect(a.registry.global.whereis('svc')).toBeUndefined();
    expect(b2.registry.global.whereis('svc')).toBeUndefined();
  });
});
