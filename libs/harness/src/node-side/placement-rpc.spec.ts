import { afterEach, describe, expect, it } from 'vitest';
import { Node } from '@sdnode/core';
import { Placement } from '@sdnode/placement';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { RemoteCallError, UnknownFunctionError } from '@sdnode/wire';
import type { Cluster } from '../cluster.js';
import { ClusterNode } from '../cluster-node.js';
import { NodeLog } from '../logs/node-log.js';
import { formatNodeReport } from '../state-report.js';
import { waitUntil } from '../wait-until.js';
import { HarnessFunctions, harnessFunctions, type NodeState } from './harness-functions.js';
import { PlacementRpc } from './placement-rpc.js';

const COOKIE = 'placement-rpc-test';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

describe('placement on harness nodes (PlacementRpc, the state report)', () => {
  const nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  async function start(network: MemoryNetwork, name: string, zone: string, tier: string, seed?: Node): Promise<Node> {
    const node = await Node.start({
      name,
      cookie: COOKIE,
      transport: new MemoryTransport({ name, cookie: COOKIE, network }),
      logger: quiet,
      ...(seed !== undefined ? { seeds: { [seed.name]: seed.address! } } : {}),
    });
    nodes.push(node);
    const placement = Placement.start(node, { attributes: { tier }, location: { zone }, locationLevels: ['zone'], policies: { workers: { where: { tier: 'worker' } } }, refreshInterval: 50, probeInterval: 50 });
    for (const [fn, impl] of Object.entries(harnessFunctions(node, undefined, undefined, undefined, undefined, placement))) node.registerFunction(fn, impl);
    return node;
  }

  it('sets attributes, chooses and explains on a node through its rpc functions, and shows its view in the state and the report', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a@t', 'z1', 'edge');
    await start(network, 'b@t', 'z1', 'worker', a);
    await start(network, 'c@t', 'z2', 'worker', a);
    const driver = await Node.start({ name: 'driver@t', cookie: COOKIE, hidden: true, transport: new MemoryTransport({ name: 'driver@t', cookie: COOKIE, network, hidden: true }), logger: quiet });
    nodes.push(driver);
    const placement = new PlacementRpc({ rpc: (node, fn, args, options) => driver.rpc(node, fn, args ?? [], options ?? {}) });

    await waitUntil(async () => (await placement.known('a@t')).length === 3, { what: 'a knows b and c', timeout: 5_000 });
    expect(await placement.known('a@t')).toEqual(['a@t', 'b@t', 'c@t']);
    await placement.setAttribute('c@t', 'gpu', true);
    await waitUntil(async () => (await placement.attributes('a@t', 'c@t'))?.['gpu'] === true, { what: 'a hears of the gpu', timeout: 5_000 });
    expect(await placement.choose('a@t', { where: { gpu: true } }, 2)).toEqual(['c@t', 'c@t']);
    const ex = await placement.explain('a@t', 'workers');
    expect(ex.candidates.map((x) => [x.node, x.excludedBy])).toEqual([
      ['a@t', 'where tier eq "worker"'],
      ['b@t', undefined],
      ['c@t', undefined],
    ]);
    expect(await placement.info('b@t')).toMatchObject({ node: 'b@t', levels: ['zone'], location: { zone: 'z1' }, policies: ['workers'] });
    await placement.deleteAttribute('c@t', 'gpu');
    await waitUntil(async () => (await placement.attributes('a@t', 'c@t'))?.['gpu'] === undefined, { what: 'a hears the gpu is gone', timeout: 5_000 });
    const none = await placement.choose('a@t', { where: { gpu: true } }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(RemoteCallError);
    expect((none as RemoteCallError).error.name).toBe('NoEligibleNodeError');
    // The driver is hidden: it runs no placement, and no node's view holds it.
    await expect(placement.info('driver@t')).rejects.toBeInstanceOf(UnknownFunctionError);

    const state = await driver.rpc<NodeState>('a@t', HarnessFunctions.state);
    expect(state.placement).toMatchObject({ levels: ['zone'], location: { zone: 'z1' }, policies: ['workers'], known: 3, dropped: 0 });
    expect(state.placement?.nodes.map((n) => [n.node, n.location, n.attributes])).toEqual([
      ['a@t', { zone: 'z1' }, { tier: 'edge' }],
      ['b@t', { zone: 'z1' }, { tier: 'worker' }],
      ['c@t', { zone: 'z2' }, { tier: 'worker' }],
    ]);
    expect(state.placement?.nodes[1]).toMatchObject({ load: expect.any(Number), processes: expect.any(Number), age: expect.any(Number) });

    const member = new ClusterNode({} as Cluster, { name: 'a@t', shortName: 'a', host: 't', hidden: false, seeds: [], args: [] }, new NodeLog('a@t'));
    const report = formatNodeReport(member, { ok: true, state });
    expect(report).toContain("  placement: knows 3 nodes; location zone=z1 (levels zone); policies workers\n");
    expect(report).toMatch(/\n {4}a@t \(self\): load [0-9.]+; \d+ processes; zone=z1; tier=edge\n/);
    expect(report).toMatch(/\n {4}c@t: load [0-9.]+; \d+ processes; rtt ([0-9.]+ ms|-); heard \d+ ms ago; zone=z2; tier=worker\n/);
  });
});
