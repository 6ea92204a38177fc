// Faults in a container cluster driven by @sdnode/harness: kill (docker kill),
// freeze (docker pause), partition (iptables DROP between the sides' container
// IPs) and restart. A fresh five-node cluster per test.
import { describe, expect, it } from 'vitest';
import { isDownMessage } from '@sdnode/core';
import { e2eContext, suiteTitle, useHarnessCluster } from './support/index.js';

const ctx = e2eContext();
const TICK_MS = 2_000;
// Erlang declares a silent peer down after net_ticktime plus up to a quarter of it; slack for a loaded machine.
const DETECTION_MS = 6 * TICK_MS;
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const full = (n: string) => `${n}@${n}`;

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'faults in a five-node container cluster'), () => {
  const cluster = useHarnessCluster({ nodes: 5, netTickTime: TICK_MS, args: ['--watch'] });

  it('a killed node is reported down everywhere, and remote monitors get DOWN noconnection', async () => {
    const c = cluster();
    const others = NODES.slice(0, 4);
    // --watch: every node monitors an echo process on every peer; wait until those on n5 are watched.
    for (const n of others) await c.waitForEvent(n, 'echo', { node: full('n5') });
    const echo = await c.spawn('n5', 'sdnode.echo');
    const driverDown = await c.run(async (pctx) => {
      const ref = pctx.monitor(echo);
      await c.kill('n5');
      return (await pctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 20_000 })).reason.kind;
    });
    expect(driverDown).toBe('noconnection');
    for (const n of others) {
      await c.waitForEvent(n, 'nodedown', { node: full('n5') });
      const down = await c.waitForEvent(n, 'down', { node: full('n5') });
      expect(down['reason'], n).toBe('noconnection');
    }
    for (const n of others) expect(await c.connectedNodes(n)).not.toContain(full('n5'));
  });

  it('a frozen node is reported down after the tick time, and rejoins the mesh when thawed', async () => {
    const c = cluster();
    const since = new Map(NODES.map((n) => [n, c.node(n).log.events.length]));
    await c.freeze('n2');
    for (const n of NODES.filter((n) => n !== 'n2')) {
      const down = await c.waitForEvent(n, 'nodedown', { node: full('n2') }, { timeout: DETECTION_MS, since: since.get(n)! });
      expect(down['reason'], n).toBe('tick_timeout');
    }
    await c.thaw('n2');
    await c.waitForMesh({ timeout: 45_000 });
    expect(await c.rpc('n2', 'sdnode.ping')).toBe('pong');
  });

  it('a partition cuts the network between the sides, and the mesh re-forms after the heal', async () => {
    const c = cluster();
    const since = c.node('n1').log.events.length;
    await c.partition([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    await c.waitUntil(
      () => c.node('n1').connected().join() === full('n2') && c.node('n3').connected().join() === [full('n4'), full('n5')].join(),
      { timeout: DETECTION_MS * 2, what: 'n1 and n2 cut off from n3, n4 and n5' },
    );
    const down = await c.waitForEvent('n1', 'nodedown', { node: full('n3') }, { since });
    expect(down['reason']).toBe('tick_timeout');
    // The driver is outside the partition: it still reaches both sides.
    expect(await c.rpc('n1', 'sdnode.ping')).toBe('pong');
    expect(await c.rpc('n5', 'sdnode.ping')).toBe('pong');
    await c.heal();
    await c.waitForMesh({ timeout: 60_000 });
  });

  it('a restarted node has a new creation and the pids of its old incarnation are dead', async () => {
    const c = cluster();
    const old = await c.spawn('n3', 'sdnode.echo', [], { name: 'echo' });
    const creation = c.node('n3').creation;
    await c.restart('n3');
    expect(c.node('n3').creation).not.toBe(creation);
    await c.waitForMesh({ timeout: 45_000 });
    const reason = await c.run(async (pctx) => {
      const ref = pctx.monitor(old);
      return (await pctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 10_000 })).reason.kind;
    });
    expect(reason).toBe('noproc');
    expect(await c.registered('n3')).not.toHaveProperty('echo');
    const fresh = await c.spawn('n3', 'sdnode.echo');
    expect(fresh.equals(old)).toBe(false);
  });
});
