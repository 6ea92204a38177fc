// A node learns where the members of groups listen from INFO (docs/protocols/sgroups.md,
// "Meeting"), and tells its transport (PolicyHost.learnAddress): a process that sends to a pid on
// such a node while no connection to it is up is not dropped for want of an address. The nodes
// here resolve only what they were given, learnt from handshakes or were told (`resolver:
// 'learned'`), as on a real network; with the memory network's default resolver every node would
// find every other by name, and these tests would prove nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessContext } from '@sdnode/core';
import type { Pid } from '@sdnode/wire';
import { eventually, full, sgroupCluster, type SGroupCluster, type SGroupMember } from './testing/sgroup-cluster.test-util.js';

/** A process on `m` that collects what it receives. */
function collector(m: SGroupMember): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = m.node.spawnFn(async (ctx: ProcessContext) => {
    for (;;) {
      const msg = await ctx.receive();
      if (msg === 'stop') return;
      got.push(msg);
    }
  });
  return { pid, got };
}

async function connect(from: SGroupMember, to: SGroupMember): Promise<void> {
  await from.node.connect(to.node.name, { address: to.node.address!, timeout: 2000 });
}

describe('sends to a group member known only from INFO', () => {
  let c: SGroupCluster | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it('a node outside the group reaches a member it never connected to, through the name space and by pid', async () => {
    c = await sgroupCluster(['a', 'b', 'c'], { groups: { g: [full('b'), full('c')] }, resolver: 'learned' });
    const [a, b, cc] = ['a', 'b', 'c'].map((n) => c!.member(n)) as [SGroupMember, SGroupMember, SGroupMember];
    await connect(cc, b);
    await eventually(() => cc.sgroups.scope('g')?.view().members.length === 2 && b.sgroups.scope('g')?.view().members.length === 2, 'g formed', () => c!.describe());
    const target = collector(cc);
    expect((await cc.sgroups.names.register('g', 'svc', target.pid)).ok).toBe(true);
    await eventually(() => b.sgroups.names.whereisLocal('g', 'svc') !== undefined, 'b resolves svc', () => c!.describe());
    // a (free) meets b: b's INFO carries g and where its members listen
    await connect(a, b);
    await eventually(() => a.policy.addressBook.get(full('c')) === cc.node.address, 'a learnt where c listens', () => c!.describe());
    expect(a.node.nodes({ all: true })).not.toContain(full('c'));
    // a asks b (a member) for svc, and sends to the pid it names, on c: a dials c for it
    await a.sgroups.names.send('g', 'svc', 'by name');
    await eventually(() => target.got.includes('by name'), 'c got the message sent by name', () => c!.describe());
    expect(a.node.nodes({ all: true })).toContain(full('c'));
    expect(a.node.nodes()).not.toContain(full('c')); // point to point: a shares no group with c
    // and again after the connection dropped
    a.node.disconnect(full('c'));
    await eventually(() => !a.node.nodes({ all: true }).includes(full('c')), 'a-c closed', () => c!.describe());
    a.node.send(target.pid, 'by pid');
    await eventually(() => target.got.includes('by pid'), 'c got the message sent by pid', () => c!.describe());
  });

  it('a member reaches another member whose dial failed, before the policy dials it again', async () => {
    // The policy re-dials missing members once a minute here: only the send can make the connection.
    c = await sgroupCluster(['a', 'b', 'c'], { groups: { g: [full('a'), full('b'), full('c')] }, resolver: 'learned', meshIntervalMs: 60_000, handshakeTimeout: 1000 });
    const [a, b, cc] = ['a', 'b', 'c'].map((n) => c!.member(n)) as [SGroupMember, SGroupMember, SGroupMember];
    const failed: string[] = [];
    a.transport.on('connectfailed', (name) => void failed.push(name));
    c.network.partition(a.node.name, cc.node.name);
    await connect(cc, b);
    await connect(a, b); // b's INFO tells a where c listens; a dials c at once, and fails (partitioned)
    await eventually(() => failed.includes(full('c')), 'a failed to dial c', () => c!.describe());
    c.network.heal();
    expect(a.node.nodes({ all: true })).not.toContain(full('c'));
    const target = collector(cc);
    const down = a.node.run(async (ctx) => {
      ctx.monitor(target.pid);
      ctx.send(target.pid, 'from a member');
      return ctx.receive((m) => m, { timeout: 300 }).catch(() => 'no DOWN');
    });
    await eventually(() => target.got.includes('from a member'), 'c got the message', () => c!.describe());
    expect(await down).toBe('no DOWN'); // the monitor holds: no DOWN noconnection
    await eventually(() => a.node.nodes().includes(full('c')), 'a and c connected, visible (they share g)', () => c!.describe());
  });
});
