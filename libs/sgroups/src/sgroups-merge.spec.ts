import { afterEach, describe, expect, it } from 'vitest';
import { eventually, full, sgroupCluster, type SGroupCluster } from './testing/sgroup-cluster.test-util.js';

const def = (c: SGroupCluster, short: string, group: string) => c.member(short).sgroups.groups().find((d) => d.name === group);
const membersOf = (c: SGroupCluster, short: string, group: string) => def(c, short, group)?.members.join(',') ?? 'none';

describe('s_group definitions across partitions, crashes and restarts', () => {
  let c: SGroupCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('applies a change on each side of a partition, then every member keeps the same one and reports the other', async () => {
    const all = ['a', 'b', 'c', 'd'].map(full);
    c = await sgroupCluster(['a', 'b', 'c', 'd'], { groups: { g: all } });
    await eventually(() => c.members.every((m) => m.node.nodes().length === 3), 'group meshed', () => c.describe());
    for (const x of ['a', 'b']) for (const y of ['c', 'd']) c.network.partition(full(x), full(y));
    await eventually(() => c.member('a').node.nodes({ all: true }).length === 1 && c.member('d').node.nodes({ all: true }).length === 1, 'sides cut', () => c.describe());
    const left = await c.member('a').sgroups.removeNodes('g', [full('d')]);
    expect(left.notReached.map((p) => p.node).sort()).toEqual([full('c'), full('d')]);
    const right = await c.member('c').sgroups.removeNodes('g', [full('b')]);
    expect(right.notReached.map((p) => p.node).sort()).toEqual([full('a'), full('b')]);
    for (const x of ['a', 'b']) for (const y of ['c', 'd']) c.network.heal(full(x), full(y));
    await c.member('a').node.connect(full('c'), { timeout: 3000 });
    await c.member('b').node.connect(full('d'), { timeout: 3000 }).catch(() => undefined);
    // both changes are version 1; the one whose proposer sorts last wins, on every node
    const winner = [left.definition, right.definition].sort((x, y) => (x.version.by < y.version.by ? -1 : 1))[1]!;
    await eventually(() => ['a', 'b', 'c', 'd'].every((n) => membersOf(c, n, 'g') === winner.members.join(',')), 'every node holds the winner', () => c.describe());
    const reported = c.members.flatMap((m) => m.sgroups.info().superseded);
    expect(reported.some((s) => s.group === 'g' && !s.configMismatch)).toBe(true);
  });

  it('a member restarted while a change happened catches up when it meets the others', async () => {
    const groups = { g: ['a', 'b', 'c'].map(full) };
    c = await sgroupCluster(['a', 'b', 'c', 'd'], { groups });
    await eventually(() => c.member('a').node.nodes().length === 2, 'meshed', () => c.describe());
    await c.kill(c.member('c'));
    const r = await c.member('a').sgroups.addNodes('g', [full('d')], { addresses: { [full('d')]: c.member('d').node.address! } });
    expect(r.notReached.map((p) => p.node)).toEqual([full('c')]);
    const restarted = await c.add('c', { groups }); // starts from the old file: g = a, b, c
    expect(membersOf(c, 'c', 'g')).toBe(groups.g.join(','));
    await eventually(() => membersOf(c, 'c', 'g') === ['a', 'b', 'c', 'd'].map(full).join(','), 'c adopted the newer definition', () => c.describe());
    await eventually(() => restarted.node.nodes().length === 3, 'c connected to a, b and d', () => c.describe());
  });

  it('a node removed while it was down becomes free when it returns', async () => {
    const groups = { g: ['a', 'b', 'c'].map(full) };
    c = await sgroupCluster(['a', 'b', 'c'], { groups });
    await eventually(() => c.member('a').node.nodes().length === 2, 'meshed', () => c.describe());
    await c.kill(c.member('c'));
    await c.member('a').sgroups.removeNodes('g', [full('c')]);
    const back = await c.add('c', { groups });
    await eventually(() => back.sgroups.kind === 'free', 'c is free', () => c.describe());
    await eventually(() => back.node.nodes({ all: true }).length === 0, 'c disconnected from a and b', () => c.describe());
    expect(membersOf(c, 'a', 'g')).toBe(['a', 'b'].map(full).join(','));
  });

  it('says clearly when two nodes started from cluster files that disagree', async () => {
    c = await sgroupCluster([]);
    await c.add('a', { groups: { g: ['a', 'b'].map(full) } });
    await c.add('b', { groups: { g: ['a', 'b', 'c'].map(full) } });
    await c.member('a').node.connect(full('b'), { timeout: 3000 });
    await eventually(() => c.members.every((m) => m.sgroups.info().superseded.some((s) => s.configMismatch)), 'both report the mismatch', () => c.describe());
    const s = c.member('a').sgroups.info().superseded.find((x) => x.configMismatch)!;
    expect(s.group).toBe('g');
    expect([s.kept.join(','), s.dropped.join(',')].sort()).toEqual([['a', 'b'].map(full).join(','), ['a', 'b', 'c'].map(full).join(',')].sort());
    expect(membersOf(c, 'a', 'g')).toBe(membersOf(c, 'b', 'g'));
  });
});
