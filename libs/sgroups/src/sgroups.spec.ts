import { afterEach, describe, expect, it } from 'vitest';
import { CannotRemoveSelfError, GroupExistsError, NodeNotFreeError, NotGroupMemberError } from '@sdnode/wire';
import { eventually, full, sgroupCluster, spawnIdle, type SGroupCluster } from './testing/sgroup-cluster.test-util.js';
import { definitionToWire } from './group-definition.js';
import { SGroupFunctions } from './sgroup-functions.js';
import { SGROUPS_CHANNEL } from './sgroup-ops.js';

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('s_groups: membership and connections', () => {
  let c: SGroupCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('groups from the cluster file: members connect to each other and to nobody else', async () => {
    c = await sgroupCluster(['a', 'b', 'c', 'd'], { groups: { g1: [full('a'), full('b')], g2: [full('b'), full('c')] } });
    // b is a gateway in both groups; d is free. Nobody is told to connect: the groups do it.
    await eventually(() => sorted(c.member('b').node.nodes()).join() === [full('a'), full('c')].join(), 'b sees a and c', () => c.describe());
    await eventually(() => c.member('a').node.nodes().join() === full('b') && c.member('c').node.nodes().join() === full('b'), 'a and c see b only', () => c.describe());
    expect(c.member('a').node.nodes({ all: true })).not.toContain(full('c'));
    expect(c.member('d').node.nodes({ all: true })).toEqual([]);
    expect(c.member('b').sgroups.ownNodes()).toEqual([full('a'), full('c')]);
    expect(c.member('d').sgroups.kind).toBe('free');
    expect(c.member('a').sgroups.kind).toBe('sgroup');
  });

  it('creates a group by agreement, reports nodes that could not join, adds and removes nodes', async () => {
    c = await sgroupCluster(['a', 'b', 'c']);
    const a = c.member('a').sgroups;
    const created = await a.newGroup('g', [full('a'), full('b'), 'ghost@127.0.0.9'], { addresses: { [full('b')]: c.member('b').node.address! } });
    expect(created.definition.members).toEqual([full('a'), full('b')]);
    expect(created.notJoined.map((p) => p.node)).toEqual(['ghost@127.0.0.9']);
    await eventually(() => c.member('b').sgroups.ownNodes().join() === full('a'), 'b is in g', () => c.describe());
    await expect(a.newGroup('g', [full('a')])).rejects.toBeInstanceOf(GroupExistsError);
    const added = await a.addNodes('g', [full('c')], { addresses: { [full('c')]: c.member('c').node.address! } });
    expect(added.definition.members).toEqual([full('a'), full('b'), full('c')]);
    await eventually(() => sorted(c.member('c').node.nodes()).join() === [full('a'), full('b')].join(), 'c meshed with a and b', () => c.describe());
    await expect(a.removeNodes('g', [full('a')])).rejects.toBeInstanceOf(CannotRemoveSelfError);
    await expect(c.member('c').sgroups.newGroup('h', [full('a')])).rejects.toThrow(/must include/);
    await a.removeNodes('g', [full('c')]);
    await eventually(() => c.member('c').sgroups.kind === 'free' && !c.member('a').node.nodes({ all: true }).includes(full('c')), 'c free and disconnected from a', () => c.describe());
    expect(c.member('b').sgroups.ownNodes('g')).toEqual([full('a')]);
  });

  it('has a name space per group: members register, non-members ask a member', async () => {
    c = await sgroupCluster(['a', 'b', 'c'], { groups: { g1: [full('a'), full('b')], g2: [full('b'), full('c')] } });
    await eventually(() => c.member('b').node.nodes().length === 2, 'meshed', () => c.describe());
    await eventually(() => ['g1', 'g2'].every((g) => c.member('b').sgroups.scope(g)?.view().members.length === 2), 'scopes settled', () => c.describe());
    const pa = spawnIdle(c.member('a').node);
    const pc = spawnIdle(c.member('c').node);
    expect((await c.member('a').sgroups.names.register('g1', 'svc', pa)).ok).toBe(true);
    expect((await c.member('c').sgroups.names.register('g2', 'svc', pc)).ok).toBe(true); // same name, another group
    await expect(c.member('c').sgroups.names.register('g1', 'x', pc)).rejects.toBeInstanceOf(NotGroupMemberError);
    await eventually(() => c.member('b').sgroups.names.whereisLocal('g1', 'svc')?.equals(pa) === true, 'b resolves g1 svc');
    expect((await c.member('c').sgroups.names.whereis('g1', 'svc'))?.equals(pa)).toBe(true); // c asks a member of g1
    expect((await c.member('a').sgroups.names.whereis('g2', 'svc'))?.equals(pc)).toBe(true);
    expect(await c.member('a').sgroups.names.registeredNames('g2')).toEqual(['svc']);
  });
  it('adds a node again right after removing it: the pending cut of the old connection never takes the new member out', async () => {
    // The removal's cut of a-d comes 5 ms after it; c's votes take 20 ms (its frames are held):
    // without pins the cut lands inside the next add, between d's vote and the COMMIT to d.
    c = await sgroupCluster(['a', 'b', 'c', 'd'], { groups: { g0: [full('a'), full('b'), full('c')], g1: [full('c'), full('d')] }, cutDelayMs: 5 });
    await eventually(() => c.member('a').node.nodes().length === 2 && c.member('c').node.nodes().length === 3, 'meshed', () => c.describe());
    c.member('c').transport.setOutboundDelay(20);
    const a = c.member('a').sgroups;
    const d = c.member('d').sgroups;
    for (let i = 0; i < 5; i++) {
      const added = await a.addNodes('g0', [full('d')], { addresses: { [full('d')]: c.member('d').node.address! } });
      expect({ i, notJoined: added.notJoined, notReached: added.notReached, members: added.definition.members }).toEqual({ i, notJoined: [], notReached: [], members: [full('a'), full('b'), full('c'), full('d')] });
      // d got the COMMIT (not only, a second later, the definition from a redial's INFO)
      await eventually(() => d.ownGroups().some((g) => g.name === 'g0'), `d adopted g0 (round ${i})`, () => c.describe(), 300);
      const removed = await a.removeNodes('g0', [full('d')]);
      expect({ i, notReached: removed.notReached, members: removed.definition.members }).toEqual({ i, notReached: [], members: [full('a'), full('b'), full('c')] });
    }
    c.member('c').transport.setOutboundDelay(0);
    await eventually(() => !c.member('a').node.nodes({ all: true }).includes(full('d')), 'a cut d at last', () => c.describe());
  });

  it('answers a partial INFO only with newer versions of the groups it carries (no INFO ping-pong)', async () => {
    // a and b share two groups. Version 1 of the protocol answered a partial INFO (one group)
    // with every other group "missing" from it, which the other side answered the same way, forever.
    c = await sgroupCluster(['a', 'b'], { groups: { g1: [full('a'), full('b')], g2: [full('a'), full('b')] } });
    const a = c.member('a');
    const b = c.member('b');
    // both sides up (b's nodeup sends its meeting INFO, which is not what this test counts)
    await eventually(() => a.node.nodes().includes(full('b')) && b.node.nodes().includes(full('a')), 'a and b connected', () => c.describe());
    const sent: unknown[] = [];
    const control = b.node.control;
    Object.defineProperty(b.node, 'control', {
      configurable: true,
      get: () => ({ on: control.on, send: (to: string, channel: string, body: unknown) => (channel === SGROUPS_CHANNEL && to === full('a') && sent.push(body), control.send(to, channel, body)) }),
    });
    const g1 = a.sgroups.groups().find((d) => d.name === 'g1')!;
    a.node.control.send(full('b'), SGROUPS_CHANNEL, ['info', [definitionToWire(g1)], {}, false]);
    // An rpc from a to b is answered after b handled the INFO (frames in order per connection),
    // and b's answer to the INFO, if any, would have left before the rpc's reply.
    await a.node.rpc(full('b'), SGroupFunctions.groups, []);
    expect(sent.filter((op) => Array.isArray(op) && op[0] === 'info')).toEqual([]);
    // a full INFO that lacks g2 is answered with g2
    a.node.control.send(full('b'), SGROUPS_CHANNEL, ['info', [definitionToWire(g1)], {}, true]);
    await a.node.rpc(full('b'), SGroupFunctions.groups, []);
    const answers = sent.filter((op): op is unknown[] => Array.isArray(op) && op[0] === 'info');
    expect(answers).toHaveLength(1);
    expect((answers[0]![1] as unknown[][]).map((d) => d[0])).toEqual(['g2']);
  });
});

describe('the global name space with s_groups', () => {
  let c: SGroupCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('belongs to the free nodes: an s_group node is refused with NodeNotFreeError, free nodes share names', async () => {
    c = await sgroupCluster(['a', 'b', 'c', 'd'], { groups: { g: [full('a'), full('b')] } });
    await c.member('c').node.connect(full('d'), { timeout: 3000 });
    await eventually(() => c.member('c').registry.global.view().members.length === 2 && c.member('c').registry.global.view().stable, 'c and d share the global scope', () => c.describe());
    await expect(c.member('a').registry.global.register('x', spawnIdle(c.member('a').node))).rejects.toBeInstanceOf(NodeNotFreeError);
    const p = spawnIdle(c.member('c').node);
    expect((await c.member('c').registry.global.register('x', p)).ok).toBe(true);
    await eventually(() => c.member('d').registry.global.whereis('x')?.equals(p) === true, 'd resolves x');
    expect(c.member('a').registry.global.view().members).toEqual([full('a')]);
  });
});
