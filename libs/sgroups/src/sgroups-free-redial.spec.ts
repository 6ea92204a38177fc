// The free nodes' mesh (NODES gossip among nodes in no group) re-dials a gossiped node whose dial
// failed, as FullMeshPolicy does (core's GossipRedial): a herd of handshakes on a crowded machine
// used to leave pairs of free nodes unconnected for good (79 of 4,032 in a 64-node cluster of the
// scale benchmark), since nothing else dials a pair that gossip introduced.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, full, sgroupCluster, type SGroupCluster } from './testing/sgroup-cluster.test-util.js';

describe('the free mesh re-dials gossiped nodes', () => {
  let c: SGroupCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it('completes the mesh when a gossiped dial failed at first', async () => {
    // Dials give up after 300 ms (the default is 7 s), so the partitioned dial fails quickly.
    c = await sgroupCluster(['a', 'b', 'c'], { handshakeTimeout: 300 });
    const [a, b, cc] = ['a', 'b', 'c'].map((n) => c!.member(n));
    // c cannot reach a when b's gossip tells it about a: that dial fails
    c.network.partition(full('a'), full('c'));
    await a!.node.connect(full('b'), { timeout: 3000 });
    await cc!.node.connect(full('b'), { timeout: 3000 });
    await eventually(() => b!.node.nodes().length === 2, 'b meets a and c', () => c!.describe());
    await eventually(() => a!.policy.pendingRedials().includes(full('c')) || cc!.policy.pendingRedials().includes(full('a')), 'the dial between a and c failed and waits for its re-dial', () => c!.describe());
    c.network.heal();
    // nothing gossips again: only a re-dial connects a and c (the first after 1 s)
    await eventually(() => [a, b, cc].every((m) => m!.node.nodes().length === 2), 'a full mesh of 3 after the heal', () => c!.describe(), 8_000);
    expect(a!.node.nodes().sort()).toEqual([full('b'), full('c')]);
  });
});
