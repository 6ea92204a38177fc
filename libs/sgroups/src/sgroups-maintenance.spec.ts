// The policy's maintenance round (re-dial missing group members, cut what no group justifies)
// runs only while there is something to do: a node whose group connections are all up runs no
// timer, so an idle cluster's upkeep does not grow with its size. The loss of a member's
// connection arms the round again, and it re-dials the member until it is back.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, full, sgroupCluster, type SGroupCluster } from './testing/sgroup-cluster.test-util.js';

describe("the s_group policy's maintenance round", () => {
  let c: SGroupCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it('stops once every member is connected, and re-dials a member whose connection was lost', async () => {
    const names = ['a', 'b', 'c'];
    c = await sgroupCluster(names, { groups: { g: names.map(full) }, meshIntervalMs: 100 });
    const [a, b, cc] = names.map((n) => c!.member(n));
    const all = [a!, b!, cc!];
    const describe = (): string => `${c!.describe()}\nmaintaining: ${all.map((m) => `${m.node.name}=${m.policy.maintaining}`).join(' ')}`;
    await eventually(() => all.every((m) => m.node.nodes().length === 2), 'the group meshes', describe);
    await eventually(() => all.every((m) => !m.policy.maintaining), 'no maintenance round runs once every member is up', describe);

    c.network.partition(full('a'), full('b'));
    await eventually(() => !a!.node.nodes().includes(full('b')) && !b!.node.nodes().includes(full('a')), 'a and b lose each other', describe);
    expect(a!.policy.maintaining || a!.node.nodes().includes(full('b'))).toBe(true);
    expect(cc!.policy.maintaining, describe()).toBe(false); // c's connections were not touched

    c.network.heal();
    // nothing but the rounds armed by the lost connection dials a and b again
    await eventually(() => a!.node.nodes().includes(full('b')) && b!.node.nodes().includes(full('a')), 'a and b reconnect', describe);
    await eventually(() => all.every((m) => !m.policy.maintaining), 'the rounds stop again', describe);
  });
});
