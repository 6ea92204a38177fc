import { afterEach, describe, expect, it } from 'vitest';
import { FullMeshPolicy, Node, type PolicyHost } from '@sdnode/core';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { ConnectionRefusedError } from '@sdnode/wire';
import { waitUntil } from '../wait-until.js';
import { HarnessFunctions, harnessFunctions } from './harness-functions.js';
import { PartitionFilterPolicy } from './partition-filter.js';

const COOKIE = 'filter-test';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

describe('PartitionFilterPolicy', () => {
  const nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  async function start(network: MemoryNetwork, name: string): Promise<{ node: Node; filter: PartitionFilterPolicy }> {
    const filter = new PartitionFilterPolicy(new FullMeshPolicy());
    const transport = new MemoryTransport({ name, cookie: COOKIE, network, accept: (p) => filter.accept(p) });
    const node = await Node.start({ name, cookie: COOKIE, transport, connectionPolicy: filter, logger: quiet });
    for (const [fn, impl] of Object.entries(harnessFunctions(node, filter))) node.registerFunction(fn, impl);
    nodes.push(node);
    return { node, filter };
  }

  it('cuts a node off from the blocked ones, refuses them while blocked, and lets them back after unblock', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a@t');
    const b = await start(network, 'b@t');
    const c = await start(network, 'c@t');
    await b.node.connect('a@t');
    await c.node.connect('a@t');
    await waitUntil(() => b.node.nodes().includes('c@t'), { what: 'b meets c through a', timeout: 5_000 });

    a.filter.block(['b@t', 'c@t']);
    b.filter.block(['a@t']);
    await waitUntil(() => a.node.nodes().length === 0 && !b.node.nodes().includes('a@t'), { what: 'a cut off', timeout: 5_000 });
    expect(b.node.nodes()).toEqual(['c@t']);
    await expect(b.node.connect('a@t', { timeout: 2_000 })).rejects.toBeInstanceOf(ConnectionRefusedError);
    expect(a.filter.blockedNodes()).toEqual(['b@t', 'c@t']);

    a.filter.unblock();
    b.filter.unblock();
    await b.node.connect('a@t', { timeout: 2_000 });
    await waitUntil(() => a.node.nodes().length === 2, { what: 'a meets b and c again', timeout: 5_000 });
  });

  it('passes the addresses its policy learns on to the node (s_group INFO, NODES gossip)', () => {
    let inner: PolicyHost | undefined;
    const filter = new PartitionFilterPolicy({ name: 'capture', start: (h) => void (inner = h), nodeUp: () => undefined, nodeDown: () => undefined, nodes: () => undefined, stop: () => undefined });
    const learned: Array<[string, string]> = [];
    const host: PolicyHost = {
      name: 'a@t',
      hidden: false,
      logger: quiet,
      peers: () => [],
      connect: () => undefined,
      disconnect: () => undefined,
      learnAddress: (name, address) => void learned.push([name, address]),
      sendNodes: () => true,
      sendControl: () => true,
      onControl: () => undefined,
    };
    filter.start(host);
    inner!.learnAddress?.('b@t', 'tcp://127.0.0.1:4000');
    expect(learned).toEqual([['b@t', 'tcp://127.0.0.1:4000']]);
  });

  it('is driven through the harness rpc functions, which reject a malformed node list', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a@t');
    const b = await start(network, 'b@t');
    await b.node.connect('a@t');
    await b.node.rpc('a@t', HarnessFunctions.block, [['c@t']]);
    expect(a.filter.blockedNodes()).toEqual(['c@t']);
    await expect(b.node.rpc('a@t', HarnessFunctions.block, ['c@t'])).rejects.toThrow(/array of node names/);
    const state = await b.node.rpc<{ blocked: string[]; nodes: string[] }>('a@t', HarnessFunctions.state);
    expect(state).toMatchObject({ blocked: ['c@t'], nodes: ['b@t'] });
    await b.node.rpc('a@t', HarnessFunctions.unblock);
    expect(a.filter.blockedNodes()).toEqual([]);
  });
});
