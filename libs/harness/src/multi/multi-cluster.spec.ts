// The harness's multi mode: several nodes per worker process, each over real ZeroMQ on its own
// loopback address with a port from the OS. Needs the built harness (its worker program runs
// from dist/: `npm run build`, as `npm test` does first).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDownMessage } from '@sdnode/core';
import { FaultInjectionError, InvalidArgumentError, NodeExitedError } from '@sdnode/wire';
import { Cluster } from '../cluster.js';
import { useCluster } from '../vitest.js';
import { SGroupRpc } from '../node-side/sgroup-functions.js';
import { MultiFunctions, type NodeFrames, type WorkerProcessInfo } from './worker-node.js';

const MODULE = fileURLToPath(new URL('../fixtures/counter-types.mjs', import.meta.url));
const TICK_MS = 2_000;

/** The OS process each node runs in, from its `listening` line. */
function pidOf(c: Cluster, node: string): number {
  const e = c.node(node).log.currentEvents().find((x) => x.event === 'listening');
  return Number(e?.['pid']);
}

describe('a multi-mode cluster (four nodes in two worker processes)', () => {
  const cluster = useCluster({ mode: 'multi', nodes: 4, module: MODULE, netTickTime: TICK_MS, multi: { processes: 2 } });

  it('starts meshed, two nodes per worker process, and answers rpc, spawn and call like local nodes', async () => {
    const c = cluster();
    expect(c.mode).toBe('multi');
    expect(c.names()).toEqual(['n1@127.0.0.2', 'n2@127.0.0.3', 'n3@127.0.0.4', 'n4@127.0.0.5']);
    const pids = c.names().map((n) => pidOf(c, n));
    expect(new Set(pids).size).toBe(2);
    expect(pids.filter((p) => p === pids[0])).toHaveLength(2);
    expect(pids).not.toContain(process.pid);
    for (const name of c.names()) {
      const state = await c.state(name);
      expect(state.nodes).toEqual(c.names().filter((n) => n !== name));
      expect(state.hiddenNodes).toEqual([c.driver.name]);
      const info = await c.rpc<WorkerProcessInfo>(name, MultiFunctions.process);
      expect(info.pid).toBe(pidOf(c, name));
      expect(info.nodes).toBe(2);
    }
    expect(await c.rpc('n2', 'test.add', [2, 3])).toBe(5);
    await expect(c.rpc('n2', 'test.fail')).rejects.toThrow(/as asked/);
    const counter = await c.spawn('n3', 'test.counter', [41], { name: 'counter' });
    await c.send(counter, 'inc');
    expect(await c.call(counter, 'get')).toBe(42);
    expect((await c.registered('n3'))['counter']?.equals(counter)).toBe(true);
  });

  it('carries calls between nodes of different worker processes, and counts the frames each node receives', async () => {
    const c = cluster();
    const [a, b] = [c.names().find((n) => pidOf(c, n) !== pidOf(c, 'n4'))!, 'n4@127.0.0.5'];
    // test.rtt on a node of one worker makes an rpc to a node of the other one.
    const rtt = await c.spawn(a, 'test.rtt');
    const ms = await c.call<number>(rtt, { rtt: b });
    expect(ms).toBeGreaterThan(0);
    const frames = await c.rpc<NodeFrames>(b, MultiFunctions.frames);
    expect(frames.byKind['reg_send']).toBeGreaterThan(0); // the rpc request, to the rpc server's name
    expect(frames.byChannel['sdnode.placement']).toBeGreaterThan(0); // placement reports: control frames
    expect(frames.byKind['control']).toBe(Object.values(frames.byChannel).reduce((x, y) => x + y, 0));
    expect(frames.transport['framesReceived']).toBeGreaterThanOrEqual(Object.values(frames.byKind).reduce((x, y) => x + y, 0));
    expect(frames.connections).toBe(3);
    expect(frames.carrier).toBe('net'); // the runtime's default carrier, as `sdnode start` runs
  });

  it('kills one node of a worker: its peers see it go, a monitor gets noconnection, its neighbour lives on, and the report shows every node', async () => {
    const c = cluster();
    const neighbour = c.names().find((n) => n !== 'n4@127.0.0.5' && pidOf(c, n) === pidOf(c, 'n4'))!;
    const counter = await c.spawn('n4', 'test.counter', [0]);
    const reason = await c.run(async (ctx) => {
      const ref = ctx.monitor(counter);
      await c.kill('n4');
      const down = await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 10_000 });
      return down.reason.kind;
    });
    expect(reason).toBe('noconnection');
    for (const other of ['n1', 'n2', 'n3']) {
      const down = await c.waitForEvent(other, 'nodedown', { node: 'n4@127.0.0.5' });
      expect(down['reason']).toBe('peer_closed');
    }
    expect(c.node('n4').status).toBe('killed');
    expect(await c.rpc(neighbour, 'test.add', [1, 1])).toBe(2);
    await c.waitUntil(async () => (await c.connectedNodes(neighbour)).length === 2, { what: `${neighbour} sees two nodes` });

    const report = await c.report();
    for (const name of c.names()) expect(report).toContain(`--- ${name}`);
    expect(report).toMatch(/n4@127\.0\.0\.5: killed/);
    expect(report).toContain('visible nodes (its own view): n1@127.0.0.2, n2@127.0.0.3');
    expect(report).toMatch(/multi-worker-\d \(os pid \d+, \d nodes\)/);
  });

  it('restarts a node at the same address with a new creation, and partitions and heals through the nodes themselves', async () => {
    const c = cluster();
    const { address, creation } = c.node('n2');
    await c.restart('n2');
    expect(c.node('n2').address).toBe(address);
    expect(c.node('n2').creation).not.toBe(creation);
    await c.waitForMesh();

    await c.partition([['n1', 'n2'], ['n3', 'n4']]);
    await c.waitUntil(() => c.node('n1').connected().every((n) => !n.startsWith('n3@') && !n.startsWith('n4@')), { what: 'n1 cut off from n3 and n4' });
    expect((await c.state('n3')).blocked).toEqual(['n1@127.0.0.2', 'n2@127.0.0.3']);
    await c.heal();
    await c.waitForMesh({ timeout: 20_000 });
  });

  it('refuses what one node of a shared process cannot do, with typed errors', async () => {
    const c = cluster();
    await expect(c.freeze('n1')).rejects.toBeInstanceOf(FaultInjectionError);
    expect(c.node('n1').status).toBe('running');
    await expect(c.startNodes([{ name: 'n5', args: ['--watch'] }])).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('ends every node of a worker process that dies', async () => {
    const c = cluster();
    const pid = pidOf(c, 'n1');
    const inIt = c.names().filter((n) => pidOf(c, n) === pid);
    process.kill(pid, 'SIGKILL'); // a worker this test's cluster started
    await c.waitUntil(() => inIt.every((n) => c.node(n).status === 'exited'), { what: `${inIt.join(', ')} exited` });
    await expect(c.rpc(inIt[0]!, 'test.add', [1, 1])).rejects.toBeInstanceOf(NodeExitedError);
    expect(c.node(inIt[0]!).log.status).toMatch(/worker process .* killed by SIGKILL/);
  });
});

describe('multi-mode placement of nodes in worker processes', () => {
  it('fills worker processes up to nodesPerProcess, then starts another', async () => {
    const c = await Cluster.start({ mode: 'multi', nodes: 5, seeds: 'none', waitForMesh: false, multi: { nodesPerProcess: 2, placement: false } });
    try {
      const pids = c.names().map((n) => pidOf(c, n));
      expect(new Set(pids).size).toBe(3);
      expect(pids[0]).toBe(pids[1]);
      expect(pids[2]).toBe(pids[3]);
      expect(pids[4]).not.toBe(pids[0]);
      expect(await c.connectedNodes('n5')).toEqual([]);
    } finally {
      await c.close();
    }
  });
});

describe('multi-mode carriers', () => {
  it("runs the harness's carrier where the cluster file names none, the file's where it does, and the two interoperate", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multi-carriers-'));
    const names = ['z1@127.0.35.1', 'z2@127.0.35.2'];
    const file = join(dir, 'cluster.yaml');
    writeFileSync(file, `cookie: multi-carriers\ndefaults: {basePort: 0}\nnodes:\n  - {name: ${names[0]}, carrier: net}\n  - ${names[1]}\n`);
    const c = await Cluster.start({ mode: 'multi', config: file, nodes: names, cookie: 'multi-carriers', multi: { processes: 1, placement: false, carrier: 'zmq' } });
    try {
      expect((await c.rpc<NodeFrames>('z1', MultiFunctions.frames)).carrier).toBe('net');
      expect((await c.rpc<NodeFrames>('z2', MultiFunctions.frames)).carrier).toBe('zmq');
      // connected over ZMTP, one end on node:net, the other on libzmq
      await c.waitUntil(async () => (await c.state('z1')).nodes.join() === names[1] && (await c.state('z2')).nodes.join() === names[0], { what: 'z1 and z2 connected' });
    } finally {
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown carrier with a typed error', async () => {
    await expect(Cluster.start({ mode: 'multi', nodes: 1, multi: { carrier: 'pigeon' as never } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('a multi-mode cluster from a cluster file with s_groups', () => {
  it('connects each node to its groups only, and keeps names in group scopes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multi-sgroups-'));
    const names = ['m1@127.0.34.1', 'm2@127.0.34.2', 'm3@127.0.34.3', 'm4@127.0.34.4'];
    const file = join(dir, 'cluster.yaml');
    writeFileSync(file, `cookie: multi-sgroups\ndefaults: {basePort: 0}\nnodes: [${names.join(', ')}]\nsgroups:\n  g1: [m1, m2]\n  g2: [m3, m4]\n`);
    const c = await Cluster.start({ mode: 'multi', config: file, nodes: names, cookie: 'multi-sgroups', multi: { processes: 2 } });
    try {
      await c.waitUntil(async () => (await c.state('m3')).nodes.join() === 'm4@127.0.34.4' && (await c.state('m1')).nodes.join() === 'm2@127.0.34.2', {
        what: 'm1 sees only m2, m3 only m4',
      });
      expect(c.node('m1').sgroups()).toEqual({ g1: ['m1@127.0.34.1', 'm2@127.0.34.2'] });
      const pid = await c.spawn('m3', 'sdnode.echo');
      expect(await c.rpc<{ ok: boolean }>('m3', SGroupRpc.register, ['g2', 'echo', pid])).toMatchObject({ ok: true });
      await c.waitUntil(async () => String(await c.rpc('m4', SGroupRpc.whereis, ['g2', 'echo'])) === String(pid), { what: 'm4 resolves echo in g2' });
      expect(await c.rpc('m1', SGroupRpc.whereis, ['g2', 'echo'])).toEqual(pid); // from outside the group, through a member
    } finally {
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
