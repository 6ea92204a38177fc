// Multi-node tests of the harness in local mode: every node is `sdnode start` in its own OS
// process on its own loopback address. Needs the built CLI (`npm test` builds first).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDownMessage } from '@sdnode/core';
import { InvalidArgumentError, TimeoutError, type Pid } from '@sdnode/wire';
import { Cluster } from './cluster.js';
import { useCluster } from './vitest.js';

const MODULE = fileURLToPath(new URL('./fixtures/counter-types.mjs', import.meta.url));
const TICK_MS = 2_000;

describe('a local cluster', () => {
  const cluster = useCluster({ nodes: 3, module: MODULE, netTickTime: TICK_MS });

  it('starts meshed, with the driver hidden, and runs the user module on every node', async () => {
    const c = cluster();
    expect(c.names()).toEqual(['n1@127.0.0.2', 'n2@127.0.0.3', 'n3@127.0.0.4']);
    for (const name of c.names()) {
      const state = await c.state(name);
      expect(state.nodes).toEqual(c.names().filter((n) => n !== name));
      expect(state.hiddenNodes).toEqual([c.driver.name]);
    }
    expect(await c.rpc('n2', 'test.add', [2, 3])).toBe(5);
    await expect(c.rpc('n2', 'test.fail')).rejects.toThrow(/as asked/);

    const counter = await c.spawn('n3', 'test.counter', [41], { name: 'counter' });
    await c.send(counter, 'inc');
    expect(await c.call(counter, 'get')).toBe(42);
    expect((await c.registered('n3'))['counter']?.equals(counter)).toBe(true);
    expect((await c.processes('n3')).map((p) => p.type)).toContain('test.counter');
  });

  it('kills a node: nodedown everywhere, and DOWN noconnection for a monitor of a process there', async () => {
    const c = cluster();
    const counter = await c.spawn('n3', 'test.counter', [0]);
    const reason = await c.run(async (ctx) => {
      const ref = ctx.monitor(counter);
      await c.kill('n3');
      const down = await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 10_000 });
      return down.reason.kind;
    });
    expect(reason).toBe('noconnection');
    await c.waitForEvent('n1', 'nodedown', { node: 'n3@127.0.0.4' });
    await c.waitForEvent('n2', 'nodedown', { node: 'n3@127.0.0.4' });
    expect(c.node('n3').status).toBe('killed');
  });

  it('freezes a node: nodedown after the tick time, and back in the mesh once thawed', async () => {
    const c = cluster();
    const since = c.node('n1').log.events.length;
    await c.freeze('n2');
    const down = await c.waitForEvent('n1', 'nodedown', { node: 'n2@127.0.0.3' }, { timeout: 5 * TICK_MS, since });
    expect(down['reason']).toBe('tick_timeout');
    await c.thaw('n2');
    await c.waitForMesh({ timeout: 20_000 });
    expect(await c.rpc('n2', 'test.add', [1, 1])).toBe(2);
  });

  it('partitions the cluster into sides and heals it', async () => {
    const c = cluster();
    await c.partition([['n1'], ['n2', 'n3']]);
    await c.waitUntil(() => c.node('n1').connected().length === 0 && c.node('n2').connected().join() === 'n3@127.0.0.4', {
      what: 'n1 cut off from n2 and n3',
    });
    expect((await c.state('n1')).blocked).toEqual(['n2@127.0.0.3', 'n3@127.0.0.4']);
    // The driver still reaches both sides.
    expect(await c.rpc('n1', 'test.add', [1, 2])).toBe(3);
    await c.heal();
    await c.waitForMesh({ timeout: 20_000 });
  });

  it('keeps a partition in force across a restart of a partitioned node', async () => {
    const c = cluster();
    await c.partition([['n1'], ['n2', 'n3']]);
    await c.restart('n1');
    expect((await c.state('n1')).blocked).toEqual(['n2@127.0.0.3', 'n3@127.0.0.4']);
    await c.waitUntil(() => c.node('n1').connected().length === 0, { what: 'the restarted n1 cut off again' });
    await c.heal();
    await c.waitForMesh({ timeout: 20_000 });
  });

  it('delays a node: an rpc round trip to it takes the delay longer, until lifted, also across a restart', async () => {
    const c = cluster();
    const DELAY = 50;
    const n2 = c.node('n2');
    // A process on n1 that times rpc round trips n1 -> n2 -> n1.
    const prober = await c.spawn('n1', 'test.rtt');
    const rtt = (): Promise<number> => c.call<number>(prober, { rtt: n2.name });
    await rtt(); // connected
    await c.delay(n2, DELAY);
    expect((await c.state('n2')).outboundDelay).toBe(DELAY);
    for (let i = 0; i < 3; i++) expect(await rtt()).toBeGreaterThanOrEqual(DELAY);
    // A restarted node is delayed again (its new incarnation starts without the delay; the cluster sets it).
    await c.restart('n2');
    expect((await c.state('n2')).outboundDelay).toBe(DELAY);
    await c.waitForMesh();
    expect(await rtt()).toBeGreaterThanOrEqual(DELAY);
    await c.delay('n2', 0);
    expect((await c.state('n2')).outboundDelay).toBe(0);
    await c.waitUntil(async () => (await rtt()) < DELAY, { what: `an rpc round trip n1 -> n2 under ${DELAY} ms again` });
    await expect(c.delay('n2', -1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.delay('n2', Number.NaN)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('restarts a node under the same name and address with a new creation: old pids are dead', async () => {
    const c = cluster();
    const old = await c.spawn('n2', 'test.counter', [0]);
    const before = c.node('n2').creation;
    const address = c.node('n2').address;
    await c.restart('n2');
    expect(c.node('n2').creation).not.toBe(before);
    expect(c.node('n2').address).toBe(address);
    await c.waitForMesh();
    const reason = await c.run(async (ctx) => {
      const ref = ctx.monitor(old);
      const down = await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 10_000 });
      return down.reason.kind;
    });
    expect(reason).toBe('noproc');
    const pids: Pid[] = (await c.processes('n2')).map((p) => p.pid);
    expect(pids.some((p) => p.equals(old))).toBe(false);
  });

  it('restarts a node while its seed is down: it finds the cluster through another running node', async () => {
    const c = cluster();
    await c.kill('n1');
    await c.restart('n3');
    await c.waitUntil(() => c.node('n3').connected().includes('n2@127.0.0.3'), { what: 'n3 connected to n2 with its seed n1 down' });
    await c.restart('n1');
    await c.waitForMesh();
  });

  it('adds a node that joins the mesh, and stops one gracefully', async () => {
    const c = cluster();
    const [n4] = await c.startNodes(['n4']);
    expect(n4!.name).toBe('n4@127.0.0.5');
    await c.waitForMesh();
    await c.stop('n4');
    const down = await c.waitForEvent('n1', 'nodedown', { node: 'n4@127.0.0.5' });
    expect(down['reason']).not.toBe('tick_timeout');
    expect(c.node('n4').status).toBe('stopped');
  });
});

describe('a failed wait', () => {
  it('prints every node\'s state and rejects with a TimeoutError', async () => {
    const reports: string[] = [];
    const c = await Cluster.start({ nodes: 2, report: (t) => reports.push(t) });
    try {
      const error = await c.waitUntil(() => false, { timeout: 100, what: 'something that never happens' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(/waiting until something that never happens/);
      expect(reports).toHaveLength(1);
      const report = reports[0]!;
      for (const name of c.names()) expect(report).toContain(`--- ${name}: running`);
      expect(report).toMatch(/nodes \(its own view\): n2@127\.0\.0\.3/);
      expect(report).toMatch(/sdnode_rpc sdnode\.rpc_server/);
      expect(report).toMatch(/"event":"listening"/);
    } finally {
      await c.close();
    }
  });
});
