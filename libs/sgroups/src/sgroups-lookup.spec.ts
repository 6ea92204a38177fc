// A lookup from outside a group asks a member of the definition the asking node holds, which may
// be older than the group (docs/protocols/sgroups.md, "Nodes outside the group"). When the asked
// node has left the group since, its answer carries its newer definition: the asking node adopts
// it and asks a member of it, once, within the caller's timeout (protocol version 5).
import { afterEach, describe, expect, it } from 'vitest';
import { NotGroupMemberError, UnknownGroupError } from '@sdnode/wire';
import { eventually, full, sgroupCluster, spawnIdle, type SGroupCluster, type SGroupMember } from './testing/sgroup-cluster.test-util.js';

describe('a lookup from outside a group that asks a node which has left it', () => {
  let c: SGroupCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  /** g = b, c, d (version 1), with `svc` registered on c; a (free) met b, learnt g, and parted; e (free) met c. */
  async function outsiderWithOldDefinition(): Promise<{ a: SGroupMember; b: SGroupMember; cc: SGroupMember; svc: ReturnType<typeof spawnIdle> }> {
    c = await sgroupCluster(['a', 'b', 'c', 'd', 'e']);
    const [a, b, cc, , e] = ['a', 'b', 'c', 'd', 'e'].map((n) => c!.member(n)) as [SGroupMember, SGroupMember, SGroupMember, SGroupMember, SGroupMember];
    await b.sgroups.newGroup('g', [full('b'), full('c'), full('d')]);
    await eventually(() => ['b', 'c', 'd'].every((n) => c!.member(n).sgroups.scope('g')?.view().members.length === 3), 'g formed', () => c!.describe());
    const svc = spawnIdle(cc.node);
    expect((await cc.sgroups.names.register('g', 'svc', svc)).ok).toBe(true);
    await eventually(() => b.sgroups.names.whereisLocal('g', 'svc')?.equals(svc) === true, 'b resolves svc', () => c!.describe());
    await a.node.connect(b.node.name, { timeout: 2000 });
    await e.node.connect(cc.node.name, { timeout: 2000 });
    await eventually(() => a.sgroups.table.get('g')?.version.n === 1 && e.sgroups.table.get('g')?.version.n === 1, 'a and e learnt g', () => c!.describe());
    a.node.disconnect(b.node.name);
    await eventually(() => !a.node.nodes({ all: true }).includes(b.node.name) && !b.node.nodes({ all: true }).includes(a.node.name), 'a and b parted', () => c!.describe());
    return { a, b, cc, svc };
  }

  it('is answered with the newer definition and asks a current member, once', async () => {
    const { a, cc, svc } = await outsiderWithOldDefinition();
    const removed = await cc.sgroups.removeNodes('g', [full('b')]);
    expect(removed.definition.members).toEqual([full('c'), full('d')]);
    // a still holds the definition that lists b first; b is the member it asks
    expect(a.sgroups.table.get('g')?.members).toEqual([full('b'), full('c'), full('d')]);
    const pid = await a.sgroups.names.whereis('g', 'svc', { timeout: 3000 });
    expect(pid?.equals(svc)).toBe(true);
    expect(a.sgroups.table.get('g')?.members).toEqual([full('c'), full('d')]);
    expect(await a.sgroups.names.registeredNames('g', { timeout: 3000 })).toEqual(['svc']);
    // asked by name now that a knows b left: b says so, and there is nothing newer to try
    await expect(a.sgroups.names.registeredNames('g', { via: full('b'), timeout: 3000 })).rejects.toBeInstanceOf(NotGroupMemberError);
  });

  it('fails with UnknownGroupError when the asked node knows the group was deleted', async () => {
    const { a, cc } = await outsiderWithOldDefinition();
    await cc.sgroups.deleteGroup('g');
    await eventually(() => c!.member('b').sgroups.table.get('g')?.deleted === true, 'b knows g is deleted', () => c!.describe());
    await expect(a.sgroups.names.whereis('g', 'svc', { timeout: 3000 })).rejects.toBeInstanceOf(UnknownGroupError);
    expect(a.sgroups.table.get('g')?.deleted).toBe(true);
  });

  it('fails with NotGroupMemberError, not RemoteCallError, when the asked node is not a member and knows no newer definition', async () => {
    const { a } = await outsiderWithOldDefinition();
    // e is free and holds the version a holds
    await expect(a.sgroups.names.whereis('g', 'svc', { via: full('e'), timeout: 2000 })).rejects.toBeInstanceOf(NotGroupMemberError);
    expect(a.sgroups.table.get('g')?.version.n).toBe(1);
  });
});
