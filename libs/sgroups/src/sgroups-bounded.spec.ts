// What a node learns of groups it is not in (docs/protocols/sgroups.md, "Meeting", version 4): the
// groups of the peers it meets, and nothing transitively. A chain of groups g1 = a,b; g2 = b,c;
// g3 = c,d: b is a gateway between g1 and g2, c between g2 and g3. Version 3 spread every
// definition to every node through the gateways (each full INFO carried everything the sender knew).
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, full, sgroupCluster, type SGroupCluster } from './testing/sgroup-cluster.test-util.js';

const names = (m: { sgroups: { groups(): Array<{ name: string }> } }): string[] => m.sgroups.groups().map((g) => g.name);

describe('a node knows its own groups and its peers\', not the cluster\'s', () => {
  let c: SGroupCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it('learns the groups of the peers it meets, and of nobody else', async () => {
    c = await sgroupCluster(['a', 'b', 'c', 'd']);
    const [a, b, cc, d] = ['a', 'b', 'c', 'd'].map((n) => c!.member(n));
    await a!.sgroups.newGroup('g1', [full('a'), full('b')]);
    await b!.sgroups.newGroup('g2', [full('b'), full('c')]);
    await cc!.sgroups.newGroup('g3', [full('c'), full('d')]);
    await eventually(() => names(b!).join() === 'g1,g2,g3' && names(cc!).join() === 'g1,g2,g3', 'the gateways know their peers\' groups', () => c!.describe());
    // a met b (g1, g2), d met c (g2, g3): neither hears of the group two hops away.
    await eventually(() => names(a!).join() === 'g1,g2' && names(d!).join() === 'g2,g3', 'a and d know their peers\' groups', () => c!.describe());
    expect(a!.policy.addressBook.has(full('d'))).toBe(false);
    expect(d!.policy.addressBook.has(full('a'))).toBe(false);
    // A point-to-point connection is a meeting: each learns the other's groups, and no more.
    await a!.node.connect(full('d'), { timeout: 2000 });
    await eventually(() => names(a!).join() === 'g1,g2,g3' && names(d!).join() === 'g1,g2,g3', 'a and d met', () => c!.describe());
    expect([a!.sgroups.kind, d!.sgroups.kind, a!.node.nodes().join()]).toEqual(['sgroup', 'sgroup', full('b')]);
  });

  it('adopts the cluster file\'s groups that list it, and consults the others in the file without holding them', async () => {
    c = await sgroupCluster(['a', 'b', 'c', 'd'], { groups: { g1: [full('a'), full('b')], g2: [full('c'), full('d')] } });
    const a = c.member('a');
    expect([a.sgroups.table.size, names(a).join(), a.sgroups.table.inSomeGroup(full('c')), a.sgroups.kind]).toEqual([1, 'g1,g2', true, 'sgroup']);
    expect(a.sgroups.table.get('g2')?.version.n).toBe(0);
  });

  it('corrects a peer that takes it for a member of a group it left while they were apart', async () => {
    c = await sgroupCluster(['a', 'b', 'c']);
    const [a, b, cc] = ['a', 'b', 'c'].map((n) => c!.member(n));
    await a!.sgroups.newGroup('g1', [full('a'), full('b')]);
    await b!.sgroups.newGroup('g2', [full('b'), full('c')]);
    // a knows g2 (b's group) with b in it; b leaves g2 while a and b are apart.
    await eventually(() => names(a!).includes('g2'), 'a knows g2', () => c!.describe());
    c.network.partition(full('a'), full('b'));
    await eventually(() => !a!.node.nodes({ all: true }).includes(full('b')), 'a and b apart', () => c!.describe());
    await cc!.sgroups.removeNodes('g2', [full('b')]);
    expect(a!.sgroups.table.get('g2')?.members).toEqual([full('b'), full('c')]);
    c.network.heal();
    // b's meeting INFO leaves g2 out (it lists neither a nor b now); a answers with its older g2
    // (it lists b), and b answers that with the newer one.
    await eventually(() => a!.sgroups.table.get('g2')?.members.join() === full('c'), 'a learns that b left g2', () => c!.describe());
    expect(a!.sgroups.table.isMemberOf('g2', full('b'))).toBe(false);
  });
});
