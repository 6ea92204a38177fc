// NODES gossip among free nodes lists free nodes only (docs/protocols/sgroups.md, "Connections").
// A free node learns that a peer joined a group from the peer's INFO; until that INFO arrives it
// still takes the peer for free and may gossip it to another free node, which then dials it: a
// transitive connection to an s_group node. The dialling node learns the truth at the meeting
// (the peer's INFO) and closes a connection that only stale gossip made.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, full, sgroupCluster, type SGroupCluster, type SGroupMember } from './testing/sgroup-cluster.test-util.js';
import { SGROUPS_CHANNEL } from './sgroup-ops.js';

/** Hold the s_group frames `m` sends to `to` until the returned function is called. */
function holdSGroupFrames(m: SGroupMember, to: string): () => void {
  const control = m.node.control;
  const held: unknown[] = [];
  let holding = true;
  Object.defineProperty(m.node, 'control', {
    configurable: true,
    get: () => ({
      on: control.on,
      send: (node: string, channel: string, body: unknown) => {
        if (holding && node === to && channel === SGROUPS_CHANNEL) return held.push(body) > 0;
        return control.send(node, channel, body);
      },
    }),
  });
  return () => {
    holding = false;
    for (const body of held.splice(0)) control.send(to, SGROUPS_CHANNEL, body);
  };
}

describe('NODES gossip of a node that has just joined a group', () => {
  let c: SGroupCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it('does not leave a free node connected to it once its INFO says so', async () => {
    c = await sgroupCluster(['a', 's', 'd']);
    const [a, s, d] = ['a', 's', 'd'].map((n) => c!.member(n)) as [SGroupMember, SGroupMember, SGroupMember];
    await s.node.connect(a.node.name, { timeout: 2000 });
    await eventually(() => a.node.nodes().includes(full('s')) && s.node.nodes().includes(full('a')), 'a and s meshed', () => c!.describe());
    // s joins a group; its INFO to a is late: a still takes s for free
    const release = holdSGroupFrames(s, full('a'));
    await s.sgroups.newGroup('g', [full('s')]);
    expect(s.sgroups.kind).toBe('sgroup');
    expect(a.sgroups.table.inSomeGroup(full('s'))).toBe(false);
    // d meets a, whose gossip lists s: d dials s
    await d.node.connect(a.node.name, { timeout: 2000 });
    await eventually(() => d.node.nodes({ all: true }).includes(full('s')) || d.sgroups.table.inSomeGroup(full('s')), 'd heard of s', () => c!.describe());
    // the meeting with s tells d that s is in g; nothing justifies the connection
    await eventually(() => d.sgroups.table.inSomeGroup(full('s')), 'd knows s is in g', () => c!.describe());
    await eventually(() => !d.node.nodes({ all: true }).includes(full('s')) && !s.node.nodes({ all: true }).includes(full('d')), 'd and s not connected', () => c!.describe());
    release();
    await eventually(() => a.sgroups.table.inSomeGroup(full('s')), 'a knows s is in g', () => c!.describe());
    expect(d.node.nodes()).toEqual([full('a')]);
    expect(a.node.nodes().sort()).toEqual([full('d')]);
  });
});
