import { afterEach, describe, expect, it } from 'vitest';
import { eventually, full, sgroupCluster, type SGroupCluster, type SGroupMember } from './testing/sgroup-cluster.test-util.js';
import { SGROUPS_CHANNEL } from './sgroup-ops.js';

interface Sent {
  readonly from: string;
  readonly to: string;
  readonly op: string;
}

/** Record every s_group op the members send from now on. */
function record(members: readonly SGroupMember[]): Sent[] {
  const sent: Sent[] = [];
  for (const m of members) {
    const control = m.node.control;
    Object.defineProperty(m.node, 'control', {
      configurable: true,
      get: () => ({
        on: control.on,
        send: (to: string, channel: string, body: unknown) => {
          if (channel === SGROUPS_CHANNEL && Array.isArray(body)) sent.push({ from: m.node.name, to, op: String(body[0]) });
          return control.send(to, channel, body);
        },
      }),
    });
  }
  return sent;
}

const version = (m: SGroupMember, group: string) => m.sgroups.table.get(group)?.version.n;

describe('s_groups: who hears of a membership change', () => {
  let c: SGroupCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('a change is sent to the members of the group only, whatever else the members are connected to', async () => {
    const members = ['a', 'b', 'c', 'd'].map(full);
    c = await sgroupCluster(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], { groups: { g: members } });
    await eventually(() => c.members.slice(0, 4).every((m) => m.node.nodes().length === 3), 'g meshed', () => c.describe());
    // e..h are free, with point-to-point connections to a and b (a process used a pid there)
    for (const x of ['e', 'f', 'g', 'h']) for (const y of ['a', 'b']) await c.member(y).node.connect(full(x), { timeout: 2000 });
    await eventually(() => ['e', 'f', 'g', 'h'].every((x) => version(c.member(x), 'g') === 0), 'e..h heard of g when they met a and b', () => c.describe());
    const sent = record(c.members);
    const added = await c.member('a').sgroups.addNodes('g', [full('i')], { addresses: { [full('i')]: c.member('i').node.address! } });
    expect(added.notReached).toEqual([]);
    await eventually(() => c.members.slice(0, 4).every((m) => m.node.nodes().length === 4) && c.member('i').node.nodes().length === 4, 'i meshed with g', () => c.describe());
    const outside = new Set(['e', 'f', 'g', 'h'].map(full));
    expect(sent.filter((s) => outside.has(s.to))).toEqual([]);
    expect(['e', 'f', 'g', 'h'].map((x) => version(c.member(x), 'g'))).toEqual([0, 0, 0, 0]); // not kept current: nothing propagates outside
    // PROPOSE, VOTE and COMMIT with b, c, d and i; INFO only where i meets the members (new
    // connections): no forwarded INFO among members that all got the COMMIT
    const count = (op: string) => sent.filter((s) => s.op === op).length;
    expect({ propose: count('propose'), vote: count('vote'), commit: count('commit') }).toEqual({ propose: 4, vote: 4, commit: 4 });
    const partialInfos = sent.filter((s) => s.op === 'info' && s.from !== full('i') && s.to !== full('i'));
    expect(partialInfos).toEqual([]);
  });

  it('a member the proposer cannot reach hears of the change from a member that can', async () => {
    c = await sgroupCluster(['a', 'b', 'c', 'd'], { groups: { g: ['a', 'b', 'c'].map(full) } });
    await eventually(() => c.members.slice(0, 3).every((m) => m.node.nodes().length === 2), 'g meshed', () => c.describe());
    c.network.partition(full('a'), full('b'));
    await eventually(() => !c.member('a').node.nodes({ all: true }).includes(full('b')) && !c.member('b').node.nodes({ all: true }).includes(full('a')), 'a-b cut', () => c.describe());
    const added = await c.member('a').sgroups.addNodes('g', [full('d')], { addresses: { [full('d')]: c.member('d').node.address! } });
    expect(added.notReached.map((p) => p.node)).toEqual([full('b')]);
    // c got the COMMIT, which says b was missed, and forwards the definition to b
    await eventually(() => version(c.member('b'), 'g') === 1, 'b holds version 1 while a-b is still cut', () => c.describe());
    expect(c.member('b').sgroups.ownNodes('g')).toEqual(['a', 'c', 'd'].map(full));
  });

  it('members whose COMMIT was lost when the proposer died ask the others, and catch up', async () => {
    c = await sgroupCluster(['a', 'c', 'd', 'e'], { groups: { g: ['a', 'c', 'e'].map(full) } });
    await eventually(() => ['a', 'c', 'e'].every((x) => c.member(x).node.nodes().length === 2), 'g meshed', () => c.describe());
    // d already connected to every member, so that its joining makes no new meeting
    for (const x of ['a', 'c']) await c.member(x).node.connect(full('d'), { timeout: 2000 });
    // e's COMMITs to c and d are lost (as when e dies with them still queued)
    const e = c.member('e');
    const control = e.node.control;
    Object.defineProperty(e.node, 'control', {
      configurable: true,
      get: () => ({ on: control.on, send: (to: string, channel: string, body: unknown) => (Array.isArray(body) && body[0] === 'commit' && to !== full('a') ? true : control.send(to, channel, body)) }),
    });
    const added = await e.sgroups.addNodes('g', [full('d')], { addresses: { [full('d')]: c.member('d').node.address! } });
    expect(added.notReached).toEqual([]);
    await eventually(() => version(c.member('a'), 'g') === 1, 'a got the COMMIT', () => c.describe());
    expect([version(c.member('c'), 'g'), version(c.member('d'), 'g')]).toEqual([0, 0]); // they promised and wait; a, committed to, forwards nothing
    await c.kill(e);
    // c and d see e go down with their promises unresolved: they ask the change's other members
    await eventually(() => version(c.member('c'), 'g') === 1 && version(c.member('d'), 'g') === 1, 'c and d caught up', () => c.describe());
    expect(c.member('c').sgroups.ownNodes('g')).toEqual(['a', 'd', 'e'].map(full));
  });

  it('a free peer learns that a node joined a group and that it left it (its visible list follows)', async () => {
    c = await sgroupCluster(['a', 'b', 'c']);
    await c.member('b').node.connect(full('c'), { timeout: 2000 });
    await eventually(() => c.member('c').node.nodes().includes(full('b')), 'free b and c see each other', () => c.describe());
    await c.member('a').sgroups.newGroup('g', ['a', 'b'].map(full), { addresses: { [full('b')]: c.member('b').node.address! } });
    await eventually(() => !c.member('c').node.nodes().includes(full('b')) && c.member('c').sgroups.table.inSomeGroup(full('b')), 'c takes b for an s_group node', () => c.describe());
    await c.member('a').sgroups.removeNodes('g', [full('b')]);
    await eventually(() => c.member('b').sgroups.kind === 'free', 'b free again', () => c.describe());
    await eventually(() => !c.member('c').sgroups.table.inSomeGroup(full('b')), 'c takes b for a free node again', () => c.describe());
  });
});
