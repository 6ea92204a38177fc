import { afterEach, describe, expect, it } from 'vitest';
import { Node, defineProcess, type ProcessContext } from '@sdnode/core';
import { Registry } from '@sdnode/registry';
import { configDefinition, SGroupPolicy, SGroups } from '@sdnode/sgroups';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import type { Pid } from '@sdnode/wire';
import { waitUntil } from '../wait-until.js';
import { HarnessFunctions, harnessFunctions, type NodeState } from './harness-functions.js';
import { PartitionFilterPolicy } from './partition-filter.js';
import { SGroupRpc, sgroupRpcFunctions } from './sgroup-functions.js';

const COOKIE = 'sgroup-state-test';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const Idle = defineProcess('harness.test.idle', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

interface Member {
  readonly node: Node;
  readonly filter: PartitionFilterPolicy;
  readonly sgroups: SGroups;
}

describe('the state of a node with s_groups', () => {
  const nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  /** A node as `sdnode start --fault-hooks` runs it: SGroupPolicy inside the partition filter, a registry, SGroups, the harness functions. */
  async function start(network: MemoryNetwork, name: string, groups: Record<string, string[]>): Promise<Member> {
    const policy = new SGroupPolicy();
    const filter = new PartitionFilterPolicy(policy);
    const transport = new MemoryTransport({ name, cookie: COOKIE, network, accept: (p) => filter.accept(p) });
    const node = await Node.start({ name, cookie: COOKIE, transport, connectionPolicy: filter, types: [Idle], logger: quiet });
    nodes.push(node);
    const registry = Registry.start(node);
    const sgroups = SGroups.start(node, { policy, registry, groups });
    for (const [fn, impl] of Object.entries({ ...harnessFunctions(node, filter, registry, sgroups), ...sgroupRpcFunctions(sgroups) })) node.registerFunction(fn, impl);
    return { node, filter, sgroups };
  }

  const state = (from: Node, of: string): Promise<NodeState> => from.rpc<NodeState>(of, HarnessFunctions.state);

  it('shows its kind, its groups with versions, and its connections split into visible, point to point and hidden', async () => {
    const network = new MemoryNetwork();
    const groups = { g1: ['a@t', 'b@t'], g2: ['b@t', 'c@t'] };
    const a = await start(network, 'a@t', groups);
    const b = await start(network, 'b@t', groups);
    const c = await start(network, 'c@t', groups);
    const d = await start(network, 'd@t', groups);
    await a.node.connect('b@t');
    await c.node.connect('b@t');
    await waitUntil(() => b.node.nodes().length === 2, { what: 'b sees a and c', timeout: 5_000 });
    // a and c share no group: their connection is point to point, in neither visible list.
    await a.node.connect('c@t');
    const driver = await Node.start({ name: 'driver@t', cookie: COOKIE, hidden: true, transport: new MemoryTransport({ name: 'driver@t', cookie: COOKIE, network, hidden: true }), logger: quiet });
    nodes.push(driver);
    await Promise.all(['a@t', 'c@t', 'd@t'].map((n) => driver.connect(n)));

    const sa = await state(driver, 'a@t');
    expect([sa.nodes, sa.pointToPoint, sa.hiddenNodes]).toEqual([['b@t'], ['c@t'], ['driver@t']]);
    expect(sa.sgroups).toMatchObject({ kind: 'sgroup', groups: [{ name: 'g1', members: ['a@t', 'b@t'], version: 0 }], otherGroups: ['g2'], unreachable: [], superseded: [] });
    expect(sa.sgroups?.groups[0]?.by).toMatch(/^config:/);
    const sd = await state(driver, 'd@t');
    expect([sd.nodes, sd.pointToPoint, sd.sgroups?.kind, sd.sgroups?.groups]).toEqual([[], [], 'free', []]);
    expect(await driver.rpc(a.node.name, HarnessFunctions.connections)).toEqual({ visible: ['b@t'], pointToPoint: ['c@t'], hidden: ['driver@t'] });
  });

  it('answers lookups in a group from a node outside it, through a member', async () => {
    const network = new MemoryNetwork();
    const groups = { g1: ['a@t', 'b@t'], g2: ['b@t', 'c@t'] };
    const a = await start(network, 'a@t', groups);
    await start(network, 'b@t', groups);
    const c = await start(network, 'c@t', groups);
    await a.node.connect('b@t');
    await c.node.connect('b@t');
    await waitUntil(() => a.sgroups.scope('g1')?.view().members.length === 2, { what: 'g1 scope settled on a', timeout: 5_000 });
    const pid: Pid = a.node.spawn(Idle);
    expect(await c.node.rpc(a.node.name, SGroupRpc.register, ['g1', 'svc', pid])).toMatchObject({ ok: true });
    await expect(c.node.rpc(c.node.name, SGroupRpc.register, ['g1', 'x', pid])).rejects.toThrow(/not a member of s_group g1/);
    const found = await waitUntil(async () => (await c.node.rpc<Pid | null>(c.node.name, SGroupRpc.whereis, ['g1', 'svc'])) ?? false, { what: 'c resolves svc in g1', timeout: 5_000 });
    expect(found.equals(pid)).toBe(true);
    expect(await c.node.rpc(c.node.name, SGroupRpc.names, ['g1'])).toEqual(['svc']);
  });
});

describe('PartitionFilterPolicy around SGroupPolicy', () => {
  const nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  it('keeps the inner policy\'s visible list, and does not dial a blocked node when the groups ask it to', async () => {
    const network = new MemoryNetwork();
    const members: Member[] = [];
    for (const name of ['a@t', 'b@t', 'c@t']) {
      const policy = new SGroupPolicy();
      const filter = new PartitionFilterPolicy(policy);
      const transport = new MemoryTransport({ name, cookie: COOKIE, network, accept: (p) => filter.accept(p) });
      const node = await Node.start({ name, cookie: COOKIE, transport, connectionPolicy: filter, logger: quiet });
      nodes.push(node);
      members.push({ node, filter, sgroups: SGroups.start(node, { policy }) });
    }
    const [a, b, c] = members as [Member, Member, Member];
    const seenByC: string[] = [];
    c.node.on('nodeup', (peer) => seenByC.push(peer));
    await a.node.connect('b@t');
    expect(a.node.nodes()).toEqual(['b@t']); // both free: visible
    // Only a blocks c: c would accept a connection that a's groups asked for.
    a.filter.block(['c@t']);
    a.sgroups.adopt(configDefinition('g', ['a@t', 'c@t']));
    expect(a.sgroups.kind).toBe('sgroup');
    // a is in g now; b shares no group with it: still connected, no longer visible.
    expect(a.node.nodes()).toEqual([]);
    expect(a.node.nodes({ all: true })).toEqual(['b@t']);
    await new Promise((r) => setTimeout(r, 200));
    // Not even a handshake reached c (a dial would be refused, but c would have heard of it).
    expect(seenByC).toEqual([]);
    expect(c.node.info().stats.transport?.bytesReceived).toBe(0);
    a.filter.unblock();
    a.sgroups.adopt({ ...configDefinition('g', ['a@t', 'c@t']), version: { n: 1, by: 'test' } });
    await waitUntil(() => seenByC.includes('a@t'), { what: 'a dials c once unblocked', timeout: 5_000 });
    expect(b.node.nodes()).toEqual([]);
  });
});
