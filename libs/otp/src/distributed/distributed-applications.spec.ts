import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryNetwork } from '@sdnode/transport';
import type { Node } from '@sdnode/core';
import { DistributedApplicationError } from '@sdnode/wire';
import { Application } from '../application/application.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { memoryCluster, waitFor } from '../testing.test-util.js';
import { DistributedApplications } from './distributed-applications.js';
import type { DistAppSpec } from './dist-app-types.js';

const N1 = 'n1@127.0.0.1';
const N2 = 'n2@127.0.0.1';
const N3 = 'n3@127.0.0.1';
const SPEC: DistAppSpec = { name: 'billing', failoverTimeout: 300, nodes: [[N1], [N2, N3]] };

/** Where each node started `billing`, with which start type (one record per start). */
type Starts = Record<string, string[]>;

function billing(node: string, starts: Starts) {
  return Application.define('billing', {
    async start({ ctx, startType }) {
      (starts[node] ??= []).push(startType.kind === 'normal' ? 'normal' : `${startType.kind}:${startType.node}`);
      return Supervisor.startWith(ctx, { strategy: 'one_for_one', intensity: 1, period: 1000, children: [] }, { link: true });
    },
  });
}

/** The nodes whose application controller lists billing as running. */
async function runningOn(nodes: readonly Node[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of nodes) {
    if (n.isStopped) continue;
    if ((await Application.which(n)).some((a) => a.name === 'billing' && a.status === 'running')) out.push(n.name);
  }
  return out;
}

/** Wait until billing runs exactly on `expected`, and every node's controller knows it. */
async function until(nodes: readonly Node[], expected: string[], what: string): Promise<void> {
  await waitFor(async () => JSON.stringify(await runningOn(nodes)) === JSON.stringify(expected), what, 10_000);
  await waitFor(
    async () => {
      for (const n of nodes) {
        const [info] = await DistributedApplications.info(n);
        if (JSON.stringify([...(info?.holders ?? [])].sort()) !== JSON.stringify(expected.filter((e) => e === n.name || info?.peers[e] !== undefined))) return false;
      }
      return true;
    },
    `${what}, as every node sees it`,
    10_000,
  );
}

describe('DistributedApplications on three in-process nodes', () => {
  let network: MemoryNetwork;
  let nodes: Node[];
  let stopAll: () => Promise<void>;
  let starts: Starts;

  beforeEach(async () => {
    starts = {};
    ({ network, nodes, stop: stopAll } = await memoryCluster(['n1', 'n2', 'n3']));
    for (const n of nodes) await Application.startController(n, { applications: [billing(n.name, starts)] });
    await nodes[1]!.connect(N1);
    await nodes[2]!.connect(N1);
    await waitFor(async () => nodes.every((n) => n.nodes().length === 2), 'a full mesh');
    for (const n of nodes) await DistributedApplications.startController(n, { applications: [SPEC] });
  });
  afterEach(async () => {
    await stopAll();
  });

  it('runs the application on the first node only, and refuses a start by hand', async () => {
    await until(nodes, [N1], 'billing on n1');
    expect(starts).toEqual({ [N1]: ['normal'] });
    await expect(Application.start(nodes[1]!, 'billing')).rejects.toBeInstanceOf(DistributedApplicationError);
    const [info] = await DistributedApplications.info(nodes[2]!);
    expect(info).toMatchObject({ app: 'billing', node: N3, phase: 'idle', eligible: true, holders: [N1], timerArmed: false });
    expect(info?.peers).toEqual({ [N1]: { instance: true, eligible: true, deferred: false }, [N2]: { instance: false, eligible: true, deferred: false } });
  });

  it('fails over to n2 after the timeout when n1 dies, and n1 takes it back when it returns', async () => {
    await until(nodes, [N1], 'billing on n1');
    network.kill(N1);
    await until(nodes.slice(1), [N2], 'billing on n2');
    expect(starts[N2]).toEqual([`failover:${N1}`]);
    // n1 comes back: a new node under the same name (a new incarnation), with its controllers.
    await nodes[0]!.stop();
    const again = await memoryRestart(network, N1, starts);
    nodes[0] = again;
    await until(nodes, [N1], 'billing back on n1');
    expect(starts[N1]).toEqual(['normal', `takeover:${N2}`]);
  });

  it('hands the application over at once when its node stops gracefully', async () => {
    await until(nodes, [N1], 'billing on n1');
    const t0 = Date.now();
    await nodes[0]!.stop();
    await until(nodes.slice(1), [N2], 'billing on n2');
    expect(starts[N2]).toEqual([`failover:${N1}`]);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('runs one instance per side of a partition, and one in all once it heals (the better node keeps it)', async () => {
    await until(nodes, [N1], 'billing on n1');
    network.partition(N1, N2);
    network.partition(N1, N3);
    await until(nodes, [N1, N2], 'billing on both sides');
    network.heal();
    await nodes[1]!.connect(N1);
    await until(nodes, [N1], 'billing on n1 alone');
    expect(starts[N2]).toEqual([`failover:${N1}`]);
  });
});

/** Start a new incarnation of `name` on the network, with its application and distributed controllers. */
async function memoryRestart(network: MemoryNetwork, name: string, starts: Starts): Promise<Node> {
  const { MemoryTransport } = await import('@sdnode/transport');
  const { Node: NodeClass } = await import('@sdnode/core');
  const { recordingLogger } = await import('../testing.test-util.js');
  network.heal();
  const transport = new MemoryTransport({ network, name, cookie: 'test', encode: true, handshakeTimeout: 500 });
  const node = await NodeClass.start({ name, cookie: 'test', transport, logger: recordingLogger() });
  await Application.startController(node, { applications: [billing(name, starts)] });
  await DistributedApplications.startController(node, { applications: [SPEC] });
  await node.connect(N2);
  return node;
}
