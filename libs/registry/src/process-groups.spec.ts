import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NoProcError, type Pid } from '@sdnode/wire';
import type { GroupEvent } from './index.js';
import { eventually, registryCluster, spawnIdle, type RegistryCluster, type TestMember } from './testing/registry-cluster.test-util.js';

const sorted = (pids: readonly Pid[]): string[] => pids.map(String).sort();

describe('process groups (pg) of a scope', () => {
  let c: RegistryCluster;
  afterEach(async () => {
    await c?.stop();
  });

  async function twoNodes(): Promise<[TestMember, TestMember]> {
    c = await registryCluster(['a', 'b']);
    await c.mesh();
    await eventually(() => c.members.every((m) => m.registry.global.view().members.length === 2), 'views', () => c.describe());
    return c.members as [TestMember, TestMember];
  }

  it('shows local joins on every member, counts a pid that joined twice twice, and leaves once per leave', async () => {
    const [a, b] = await twoNodes();
    const [p, q] = spawnIdle(a.node, 2) as [Pid, Pid];
    a.registry.global.pg.join('workers', [p, q]);
    a.registry.global.pg.join('workers', p);
    await eventually(() => b.registry.global.pg.members('workers').length === 3, 'b sees 3 memberships');
    expect(sorted(b.registry.global.pg.members('workers'))).toEqual(sorted([p, p, q]));
    expect(b.registry.global.pg.localMembers('workers')).toEqual([]);
    expect(a.registry.global.pg.leave('workers', p)).toBe(true);
    await eventually(() => b.registry.global.pg.members('workers').length === 2, 'one p left');
    expect(a.registry.global.pg.leave('workers', [p, q])).toBe(true);
    expect(a.registry.global.pg.leave('workers', q)).toBe(false);
    await eventually(() => b.registry.global.pg.whichGroups().length === 0, 'the group is gone on b');
  });

  it('removes members that exit and members of a node that goes down, and tells monitors', async () => {
    const [a, b] = await twoNodes();
    const events: GroupEvent[] = [];
    b.registry.global.pg.monitor('g', (e) => events.push(e));
    const [p] = spawnIdle(a.node, 1) as [Pid];
    const [r] = spawnIdle(b.node, 1) as [Pid];
    a.registry.global.pg.join('g', p);
    b.registry.global.pg.join('g', r);
    await eventually(() => a.registry.global.pg.members('g').length === 2 && b.registry.global.pg.members('g').length === 2, 'both see 2');
    a.node.send(p, 'stop');
    await eventually(() => sorted(b.registry.global.pg.members('g')).join() === String(r), 'p left on b');
    await c.kill(a);
    expect(b.registry.global.pg.members('g').map(String)).toEqual([String(r)]);
    expect(events.map((e) => e.registry)).toEqual(['join', 'join', 'leave']);
    expect(events.filter((e) => e.registry === 'leave').flatMap((e) => e.pids.map(String))).toEqual([String(p)]);
    expect(events.filter((e) => e.registry === 'join').flatMap((e) => e.pids.map(String)).sort()).toEqual(sorted([p, r]));
  });

  it('tells a node that joins later about every group, and refuses remote or dead pids', async () => {
    c = await registryCluster(['a', 'b']);
    const [a, b] = c.members as [TestMember, TestMember];
    const pids = spawnIdle(a.node, 3);
    a.registry.global.pg.join('early', pids);
    await c.mesh();
    await eventually(() => b.registry.global.pg.members('early').length === 3, 'b learns the group when it meets a', () => c.describe());
    const [remote] = spawnIdle(b.node, 1) as [Pid];
    expect(() => a.registry.global.pg.join('x', remote)).toThrow(InvalidArgumentError);
    a.node.send(pids[0]!, 'stop');
    await eventually(() => a.node.processInfo(pids[0]!) === undefined, 'exited');
    expect(() => a.registry.global.pg.join('x', pids[0]!)).toThrow(NoProcError);
  });
});
