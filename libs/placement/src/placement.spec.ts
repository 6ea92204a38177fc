import { afterEach, describe, expect, it } from 'vitest';
import { isDownMessage, type ProcessContext } from '@sdnode/core';
import { InvalidArgumentError, NoEligibleNodeError, UnknownPlacementPolicyError } from '@sdnode/wire';
import { PLACEMENT_CHANNEL } from './placement-protocol.js';
import { Worker, eventually, full, placementCluster, type PlacementCluster } from './testing/placement-cluster.test-util.js';

const zones = (names: readonly string[], zoneOf: (i: number) => string) =>
  names.map((name, i) => ({ name, locationLevels: ['zone', 'rack'], location: { zone: zoneOf(i), rack: `r${i}` }, attributes: { tier: i === 0 ? 'edge' : 'worker' } }));

describe('placement across nodes', () => {
  let c: PlacementCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('attributes and locations reach every peer; a change is seen at once, not at the next refresh', async () => {
    c = await placementCluster(zones(['a', 'b', 'c', 'd'], (i) => (i < 2 ? 'z1' : 'z2')).map((s) => ({ ...s, refreshInterval: 60_000 })));
    const a = c.member('a').placement;
    await eventually(() => a.nodes().length === 4, 'a knows all four', () => c.describe());
    expect(a.attributes(full('c'))).toMatchObject({ tier: 'worker', cpus: expect.any(Number), memFree: expect.any(Number), processes: expect.any(Number) });
    expect(a.distance(full('b'))).toEqual({ level: 'zone', ultrametric: 0.5 });
    expect(a.distance(full('c'))).toEqual({ level: 'anywhere', ultrametric: 1 });
    // the refresh interval is a minute: only the change itself can make this visible
    c.member('c').placement.setAttribute('gpu', true);
    await eventually(() => a.attributes(full('c'))?.['gpu'] === true, 'a sees c has a gpu', () => c.describe(), 2000);
    expect(a.chooseNode({ where: { gpu: true } })).toBe(full('c'));
    c.member('c').placement.deleteAttribute('gpu');
    await eventually(() => a.attributes(full('c'))?.['gpu'] === undefined, 'a sees the gpu gone', () => c.describe(), 2000);
    expect(() => a.chooseNode({ where: { gpu: true } })).toThrow(NoEligibleNodeError);
  });

  it("a node's death removes it from choices at once", async () => {
    c = await placementCluster(zones(['a', 'b', 'c'], () => 'z1'));
    const a = c.member('a').placement;
    await eventually(() => a.nodes().length === 3, 'a knows all three', () => c.describe());
    const spec = { where: { tier: 'worker' }, strategy: 'round_robin' } as const;
    expect(new Set([1, 2, 3, 4].map(() => a.chooseNode(spec)))).toEqual(new Set([full('b'), full('c')]));
    await c.kill('b');
    await eventually(() => !c.member('a').node.nodes().includes(full('b')), 'a sees b down');
    // no report interval, no timeout: the nodedown itself removed it
    for (let i = 0; i < 10; i++) expect(a.chooseNode(spec)).toBe(full('c'));
  });

  it('a node that becomes loaded stops being chosen', async () => {
    c = await placementCluster(zones(['a', 'b', 'c'], () => 'z1'));
    const a = c.member('a').placement;
    await eventually(() => a.nodes().length === 3, 'a knows all three', () => c.describe());
    const spec = { self: 'exclude', loadAttribute: 'queue' } as const;
    c.member('b').placement.setAttribute('queue', 1);
    c.member('c').placement.setAttribute('queue', 2);
    await eventually(() => a.attributes(full('c'))?.['queue'] === 2 && a.attributes(full('b'))?.['queue'] === 1, 'loads seen', () => c.describe());
    for (let i = 0; i < 20; i++) expect(a.chooseNode(spec)).toBe(full('b'));
    c.member('b').placement.setAttribute('queue', 50);
    await eventually(() => a.attributes(full('b'))?.['queue'] === 50, 'b loaded', () => c.describe());
    for (let i = 0; i < 20; i++) expect(a.chooseNode(spec)).toBe(full('c'));
  });

  it('measures round trips, and nearest by rtt stops choosing a node whose traffic is delayed', async () => {
    c = await placementCluster(zones(['a', 'b', 'c'], () => 'z1'));
    const a = c.member('a').placement;
    await eventually(() => a.rtt(full('b')) !== undefined && a.rtt(full('c')) !== undefined, 'round trips measured', () => c.describe());
    expect(a.nodesWithin(1000).map((x) => x.node)).toEqual(expect.arrayContaining([full('a'), full('b'), full('c')]));
    c.member('b').transport.setOutboundDelay(40);
    await eventually(() => (a.rtt(full('b')) ?? 0) > 20, 'b is slow', () => c.describe());
    const spec = { strategy: 'nearest', self: 'exclude' } as const;
    for (let i = 0; i < 5; i++) expect(a.chooseNode(spec)).toBe(full('c'));
    expect(a.nodesWithin(10).map((x) => x.node)).not.toContain(full('b'));
    c.member('b').transport.setOutboundDelay(0);
  });

  it('spawnPlaced: one decision and one spawn, linked or monitored by the caller; typed errors', async () => {
    c = await placementCluster(zones(['a', 'b', 'c'], (i) => `z${i}`), { });
    const a = c.member('a');
    await eventually(() => a.placement.nodes().length === 3, 'a knows all three', () => c.describe());
    const placed = await a.placement.spawnPlaced('placement.test.worker', [], { near: { node: full('c'), within: 'zone' } });
    expect(placed.node).toBe(full('c'));
    expect(placed.pid.node).toBe(full('c'));
    expect(c.member('c').node.isAlive(placed.pid)).toBe(true);
    const down = await a.node.run(async (ctx: ProcessContext) => {
      const m = await a.placement.spawnPlaced('placement.test.worker', [], { where: { tier: 'worker' }, away: { node: full('c') } }, { from: ctx, monitor: true });
      expect(m.node).toBe(full('b'));
      ctx.send(m.pid, 'stop');
      return ctx.receive((x) => (isDownMessage(x) && x.ref.equals(m.ref!) ? x : undefined), { timeout: 2000 });
    });
    expect(down.reason).toEqual({ kind: 'normal' });
    await expect(a.placement.spawnPlaced('placement.test.worker', [], { where: { tier: 'none' } })).rejects.toBeInstanceOf(NoEligibleNodeError);
    await expect(a.placement.spawnPlaced('placement.test.worker', [], 'no-such-policy')).rejects.toBeInstanceOf(UnknownPlacementPolicyError);
    await expect(a.placement.spawnPlaced('placement.test.worker', [], {}, { link: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    const many = await a.placement.spawnManyPlaced('placement.test.worker', [], { count: 3, spread: 'zone' });
    expect(new Set(many.map((p) => p.node)).size).toBe(3);
  });

  it('an idle node re-sends no report while its figures hold, its probes keep it heard of, and a moved figure goes out at the next refresh', async () => {
    // the figures that jitter with the test process's own load are fixed by static attributes, so
    // only `processes` (and uptime, which never moves a report on its own) is sampled
    const fixed = { elu: 0, load: 0, lag: 0, load1: 0, memFree: 0 };
    c = await placementCluster(zones(['a', 'b'], () => 'z1').map((s) => ({ ...s, attributes: { ...s.attributes, ...fixed }, refreshInterval: 10, probeInterval: 10 })));
    const a = c.member('a').placement;
    const b = c.member('b');
    await eventually(() => a.nodes().length === 2 && b.placement.nodes().length === 2, 'a and b know each other', () => c.describe());
    const processes = b.placement.attributes()!['processes'] as number;
    await eventually(() => a.attributes(full('b'))?.['processes'] === processes, 'a has b’s current report', () => c.describe());
    const sent = b.placement.info().reportsSent;
    const reportedBy = Date.now(); // a had b's last report by now
    let heard = 0;
    let lastHeard = 0;
    const unsubscribe = a.subscribe((node, entry) => {
      if (node !== full('b') || entry === undefined || entry.receivedAt <= lastHeard) return;
      lastHeard = entry.receivedAt;
      heard++;
    });
    try {
      // 30 answered probes (10 ms apart): b sampled about 30 times meanwhile and had nothing new to say
      await eventually(() => heard >= 30, 'a hears of b 30 times', () => c.describe());
      expect(b.placement.info().reportsSent).toBe(sent);
      // the age counts from b's last probe answer, not from its last report
      const sinceReport = Date.now() - reportedBy;
      expect(sinceReport).toBeGreaterThanOrEqual(290);
      expect(a.nodes().find((r) => r.node === full('b'))!.age).toBeLessThan(sinceReport / 2);
    } finally {
      unsubscribe();
    }
    const worker = b.node.spawn(Worker);
    await eventually(() => a.attributes(full('b'))?.['processes'] === processes + 1, 'a sees b’s new process', () => c.describe());
    expect(b.placement.info().reportsSent).toBe(sent + 1);
    b.node.send(worker, 'stop');
  });

  it('probes go round a scope larger than maxProbes: every peer is measured, at most maxProbes per interval', async () => {
    c = await placementCluster(zones(['a', 'b', 'c', 'd', 'e', 'f'], () => 'z1').map((s) => ({ ...s, refreshInterval: 60_000, probeInterval: 10, maxProbes: 2 })));
    const a = c.member('a').placement;
    await eventually(() => a.nodes().length === 6, 'a knows all six', () => c.describe());
    await eventually(() => a.nodes().every((r) => r.rtt !== undefined), 'a measured every peer', () => c.describe());
    // timers fire late, never early: 20 probes at 2 per 10 ms interval take at least 9 intervals
    // (with all 5 peers probed per interval, 4)
    const from = a.info().probesSent;
    const started = performance.now();
    await eventually(() => a.info().probesSent >= from + 20, '20 more probes', () => c.describe());
    expect(performance.now() - started).toBeGreaterThanOrEqual(85);
  });

  it('named policies, explain, and a malformed message from a peer is dropped and counted', async () => {
    c = await placementCluster(zones(['a', 'b'], () => 'z1').map((s) => ({ ...s, policies: { workers: { where: { tier: 'worker' } } } })));
    const a = c.member('a');
    await eventually(() => a.placement.nodes().length === 2, 'a knows b', () => c.describe());
    expect(a.placement.chooseNode('workers')).toBe(full('b'));
    const ex = a.placement.explain('workers');
    expect(ex.chosen).toEqual([full('b')]);
    expect(ex.candidates).toEqual([
      { node: full('a'), excludedBy: 'where tier eq "worker"' },
      { node: full('b'), score: expect.any(Number) },
    ]);
    const before = a.placement.info().droppedMessages;
    c.member('b').node.control.send(full('a'), PLACEMENT_CHANNEL, ['attrs', -1, 'x', {}]);
    c.member('b').node.control.send(full('a'), PLACEMENT_CHANNEL, { hello: 1 });
    await eventually(() => a.placement.info().droppedMessages === before + 2, 'both dropped', () => c.describe());
    expect(a.placement.attributes(full('b'))?.['tier']).toBe('worker');
    expect(a.node.isStopped).toBe(false);
  });
});

describe('placement with s_groups', () => {
  let c: PlacementCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('sees only its groups, and the group constraint chooses among a group’s members', async () => {
    c = await placementCluster(zones(['a', 'b', 'c', 'd'], () => 'z1'), { groups: { g1: ['a', 'b'], g2: ['a', 'c'] } });
    const a = c.member('a').placement;
    await eventually(() => a.nodes().length === 3, 'a knows its groups', () => c.describe());
    expect(a.nodes().map((r) => r.node)).not.toContain(full('d')); // free, shares no group with a
    for (let i = 0; i < 10; i++) expect(a.chooseNode({ group: 'g2', self: 'exclude' })).toBe(full('c'));
    expect(c.member('b').placement.nodes().map((r) => r.node).sort()).toEqual([full('a'), full('b')]);
    await c.member('a').sgroups!.addNodes('g2', [full('d')]);
    await eventually(() => a.nodes().length === 4, 'a knows d once it joined g2', () => c.describe());
    const chosen = new Set(Array.from({ length: 30 }, () => a.chooseNode({ group: 'g2', self: 'exclude', strategy: 'random' })));
    expect(chosen).toEqual(new Set([full('c'), full('d')]));
  });
});
