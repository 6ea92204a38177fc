import { afterEach, describe, expect, it } from 'vitest';
import { Registry as PromRegistry } from 'prom-client';
import { Node } from '@sdnode/core';
import { ExitReasons, InvalidArgumentError, NoEligibleNodeError } from '@sdnode/wire';
import { NodeMetrics } from './node-metrics.js';
import { MemoryNetwork, Sink, full, parseMetrics, samples, startMember, value, waitForScrape, type MetricsMember } from './metrics-testing.test-util.js';

describe('NodeMetrics of two nodes in one process', () => {
  const started: MetricsMember[] = [];
  const start = async (network: MemoryNetwork, short: string, options: Parameters<typeof startMember>[2] = {}): Promise<MetricsMember> => {
    const m = await startMember(network, short, options);
    started.push(m);
    return m;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((m) => m.node.stop()));
  });

  it('have a registry each, labelled with the node name, none in prom-client\'s global registry', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a');
    const b = await start(network, 'b');
    expect(a.metrics.promRegistry).not.toBe(b.metrics.promRegistry);
    const text = await a.metrics.text();
    expect(samples(text, 'sdnode_processes').map((s) => s.labels['node'])).toEqual([full('a')]);
    expect(value(await b.metrics.text(), 'sdnode_processes', { node: full('b') })).toBeGreaterThan(0);
  });

  it('follow connections, traffic, node events and placement as the cluster changes', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a');
    const b = await start(network, 'b');
    const scrape = () => a.metrics.text();
    const before = await scrape();
    expect(value(before, 'sdnode_connections', { kind: 'visible' })).toBe(0);
    expect(value(before, 'sdnode_nodeup_total', { hidden: 'false' })).toBe(0);
    const framesOut = value(before, 'sdnode_transport_frames_total', { direction: 'out' }) ?? 0;

    await a.node.connect(full('b'), { address: b.node.address!, timeout: 5000 });
    const up = await waitForScrape(scrape, (t) => value(t, 'sdnode_connections', { kind: 'visible' }) === 1, 'a visible connection');
    expect(value(up, 'sdnode_nodeup_total', { hidden: 'false' })).toBe(1);
    expect(value(up, 'sdnode_peer_up', { peer: full('b'), kind: 'visible' })).toBe(1);
    expect(value(up, 'sdnode_peer_queued_bytes', { peer: full('b') })).toBeGreaterThanOrEqual(0);
    expect(value(up, 'sdnode_transport_frames_total', { direction: 'out' })).toBeGreaterThan(framesOut);
    expect(value(up, 'sdnode_transport_bytes_total', { direction: 'in' })).toBeGreaterThan(0);

    // Placement: b enters a's view, its round trip is measured, decisions are counted.
    const placed = await waitForScrape(
      scrape,
      (t) => value(t, 'sdnode_placement_view_nodes') === 2 && value(t, 'sdnode_peer_rtt_seconds', { peer: full('b') }) !== undefined,
      'b in the placement view with a round trip',
    );
    expect(value(placed, 'sdnode_peer_rtt_seconds', { peer: full('b') })).toBeGreaterThanOrEqual(0);
    const decisions = value(placed, 'sdnode_placement_decisions_total', { policy: 'anywhere' }) ?? 0;
    const chosen = a.placement.chooseNode('anywhere');
    expect(() => a.placement.chooseNode({ where: { tier: 'gpu' } })).toThrow(NoEligibleNodeError);
    const after = await scrape();
    expect(value(after, 'sdnode_placement_decisions_total', { policy: 'anywhere' })).toBe(decisions + 1);
    expect(value(after, 'sdnode_placement_failures_total', { policy: 'inline' })).toBe(1);
    expect(value(after, 'sdnode_placement_chosen_total', { node: chosen })).toBeGreaterThanOrEqual(1);

    // A killed peer: nodedown counted, the connection gone.
    network.kill(full('b'));
    const down = await waitForScrape(scrape, (t) => value(t, 'sdnode_connections', { kind: 'visible' }) === 0, 'the connection gone');
    expect(samples(down, 'sdnode_nodedown_total', { hidden: 'false' }).reduce((n, s) => n + s.value, 0)).toBe(1);
    expect(value(down, 'sdnode_peer_up', { peer: full('b') })).toBeUndefined();
  });

  it('report the longest mailboxes, the process count and the run queue', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a', { metrics: { topMailboxes: 2 } });
    const base = value(await a.metrics.text(), 'sdnode_processes')!;
    const [p1, p2, p3] = [a.node.spawn(Sink), a.node.spawn(Sink), a.node.spawn(Sink)];
    a.node.register('sink.two', p2);
    for (let i = 0; i < 5; i++) a.node.send(p1, { n: i });
    for (let i = 0; i < 7; i++) a.node.send(p2, { n: i });
    a.node.send(p3, 'one');
    const text = await waitForScrape(() => a.metrics.text(), (t) => value(t, 'sdnode_mailbox_messages', { pid: p2.toString() }) === 7, 'seven messages in p2');
    expect(value(text, 'sdnode_processes')).toBe(base + 3);
    expect(samples(text, 'sdnode_mailbox_messages').map((s) => [s.labels['pid'], s.labels['name'], s.labels['type'], s.value])).toEqual([
      [p2.toString(), 'sink.two', 'metrics.test.sink', 7],
      [p1.toString(), '', 'metrics.test.sink', 5],
    ]);
    expect(value(text, 'sdnode_run_queue_length')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'sdnode_processes_spawned_total')).toBeGreaterThanOrEqual(3);
    a.node.exit(p1, ExitReasons.kill);
    const exited = await waitForScrape(() => a.metrics.text(), (t) => value(t, 'sdnode_mailbox_messages', { pid: p1.toString() }) === undefined, 'p1 gone');
    expect(value(exited, 'sdnode_mailbox_messages', { pid: p3.toString() })).toBe(1);
  });

  it('report registry and pg sizes per scope and s_group membership versions', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a', { groups: { g1: ['a', 'b'] } });
    const b = await start(network, 'b', { groups: { g1: ['a', 'b'] } });
    await a.node.connect(full('b'), { address: b.node.address!, timeout: 5000 });
    const scrape = () => a.metrics.text();
    const start1 = await waitForScrape(scrape, (t) => value(t, 'sdnode_sgroup_connected_members', { group: 'g1' }) === 1, 'b connected in g1');
    expect(value(start1, 'sdnode_sgroup_members', { group: 'g1' })).toBe(2);
    const version = value(start1, 'sdnode_sgroup_version', { group: 'g1' })!;
    expect(value(start1, 'sdnode_node_kind', { kind: 'sgroup' })).toBe(1);
    expect(value(start1, 'sdnode_node_kind', { kind: 'free' })).toBe(0);

    const scope = a.sgroups.scope('g1')!;
    await waitForScrape(scrape, (t) => value(t, 'sdnode_registry_members', { scope: 'g1' }) === 2, 'both nodes in the g1 scope');
    const names = value(await scrape(), 'sdnode_registry_names', { scope: 'g1' })!;
    const pid = b.node.spawn(Sink);
    await b.sgroups.scope('g1')!.register('worker', pid, null, { timeout: 5000 });
    b.sgroups.scope('g1')!.pg.join('workers', pid);
    const registered = await waitForScrape(
      scrape,
      (t) => value(t, 'sdnode_registry_names', { scope: 'g1' }) === names + 1 && value(t, 'sdnode_pg_members', { scope: 'g1' }) === 1,
      'the name and the pg member seen on a',
    );
    expect(value(registered, 'sdnode_pg_groups', { scope: 'g1' })).toBe(1);
    expect(scope.whereis('worker')).toEqual(pid);

    const c = await start(network, 'c');
    await a.sgroups.addNodes('g1', [full('c')], { timeout: 5000, addresses: { [full('c')]: c.node.address! } });
    const changed = await waitForScrape(scrape, (t) => value(t, 'sdnode_sgroup_members', { group: 'g1' }) === 3, 'c in g1');
    expect(value(changed, 'sdnode_sgroup_version', { group: 'g1' })).toBeGreaterThan(version);
  });

  it('report the event loop: delay and utilisation since the previous scrape', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a');
    const text = await waitForScrape(() => a.metrics.text(), (t) => value(t, 'sdnode_event_loop_lag_seconds', { stat: 'max' }) !== undefined, 'a delay sample');
    const lag = samples(text, 'sdnode_event_loop_lag_seconds');
    expect(lag.map((s) => s.labels['stat']).sort()).toEqual(['max', 'mean', 'min', 'p50', 'p90', 'p99']);
    for (const s of lag) expect(s.value).toBeGreaterThanOrEqual(0);
    // Block the loop for 60 ms, twice, letting its timers run after each: the delay monitor's
    // first interval after a scrape (which resets it) only starts its count, the second is recorded.
    const nextTimers = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
    for (let i = 0; i < 2; i++) {
      const busyUntil = Date.now() + 60;
      while (Date.now() < busyUntil); // blocked
      await nextTimers();
    }
    const blocked = await a.metrics.text();
    expect(value(blocked, 'sdnode_event_loop_lag_seconds', { stat: 'max' })).toBeGreaterThanOrEqual(0.03);
    const elu = value(blocked, 'sdnode_event_loop_utilization')!;
    expect(elu).toBeGreaterThan(0.3);
    expect(elu).toBeLessThanOrEqual(1);
  });
});

describe('NodeMetrics options and lifecycle', () => {
  it('refuse bad options with InvalidArgumentError', async () => {
    const node = await Node.start({ name: 'solo@127.0.0.1', cookie: 'c', transport: null });
    try {
      expect(() => NodeMetrics.create(node, { topMailboxes: -1 })).toThrow(InvalidArgumentError);
      expect(() => NodeMetrics.create(node, { topMailboxes: 1.5 })).toThrow(InvalidArgumentError);
      expect(() => NodeMetrics.create(node, { prefix: 'bad prefix' })).toThrow(InvalidArgumentError);
    } finally {
      await node.stop();
    }
  });

  it('share a given registry under another prefix, and remove only their own metrics on close', async () => {
    const node = await Node.start({ name: 'solo@127.0.0.1', cookie: 'c', transport: null });
    const shared = new PromRegistry();
    const mine = new (await import('prom-client')).Gauge({ name: 'app_jobs', help: 'the app\'s own', registers: [shared] });
    mine.set(3);
    const metrics = NodeMetrics.create(node, { promRegistry: shared, prefix: 'x_' });
    try {
      const text = await metrics.text();
      expect(value(text, 'app_jobs')).toBe(3);
      expect(value(text, 'x_processes')).toBeGreaterThan(0);
      // A second set under the same names in the same registry is refused, and leaves nothing behind.
      expect(() => NodeMetrics.create(node, { promRegistry: shared, prefix: 'x_' })).toThrow();
      expect(value(await shared.metrics(), 'x_processes')).toBeGreaterThan(0);
    } finally {
      metrics.close();
      await node.stop();
    }
    const after = parseMetrics(await shared.metrics());
    expect(after.map((s) => s.name)).toEqual(['app_jobs']);
  });

  it('close when the node stops, and a local-only node reports no connections', async () => {
    const node = await Node.start({ name: 'solo@127.0.0.1', cookie: 'c', transport: null });
    const metrics = NodeMetrics.create(node);
    const text = await metrics.text();
    expect(value(text, 'sdnode_connections', { kind: 'visible' })).toBe(0);
    expect(samples(text, 'sdnode_transport_frames_total')).toEqual([]);
    await node.stop();
    expect(metrics.isClosed).toBe(true);
    expect((await metrics.text()).trim()).toBe('');
  });
});
