// `sdnode observe` against real node processes (the harness's local mode: each node is
// `sdnode start` in its own OS process on its own loopback address). The observer runs in this
// process (startObserver) and, once, as the built CLI. Needs the built CLI (`npm test` builds first).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { findCli, type Cluster } from '@sdnode/harness';
import { useCluster } from '@sdnode/harness/vitest';
import type { ObservedProcess } from '@sdnode/harness';
import type { ProcessDetails } from './cluster-source.js';
import { startObserver, type RunningObserver } from './observer.js';
import { connectionsFromNodes, connectionsInSnapshot, getJson, makeGroups, OBSERVE_MODULE, snapshotOf } from './observe-cluster.test-util.js';

async function observe(c: Cluster): Promise<RunningObserver> {
  return startObserver({
    target: c.node('n1').name,
    address: c.node('n1').address!,
    cookie: c.cookie,
    nodeListen: 'tcp://127.0.0.1:0',
    http: { host: '127.0.0.1', port: 0 },
    gatherer: { interval: 300, timeout: 1500, forgetAfter: 1500 },
  });
}

describe('sdnode observe on four node processes', () => {
  const cluster = useCluster({ nodes: 4, module: OBSERVE_MODULE, cookie: 'observe-multinode', netTickTime: 4000 });

  it('shows every node, its s_groups and its connections by kind as the nodes see them, a process\'s Sys state, and a killed node going', async () => {
    const c = cluster();
    const [n1, n2, n3, n4] = c.names() as [string, string, string, string];
    // The driver (a hidden node) connects to a node when it first asks it something: to each, here.
    expect(await connectionsFromNodes(c)).toEqual([`${n1}|${n2}`, `${n1}|${n3}`, `${n1}|${n4}`, `${n2}|${n3}`, `${n2}|${n4}`, `${n3}|${n4}`]);
    const observer = await observe(c);
    try {
      // Found from n1 alone: the full mesh of free nodes, and the test driver (hidden) connected to each.
      let s = await c.waitUntil(
        async () => {
          const snap = await snapshotOf(observer.url);
          return snap.nodes.filter((n) => n.status === 'up').length === 5 ? snap : false;
        },
        { timeout: 15_000, what: 'the observer sees four nodes and the driver up' },
      );
      expect(s.nodes.map((n) => [n.name, n.kind])).toEqual(
        [...[n1, n2, n3, n4].map((n) => [n, 'free']), [c.driver.name, 'hidden']].sort((x, y) => x[0]!.localeCompare(y[0]!)),
      );
      expect(s.nodes.map((n) => n.name)).not.toContain(observer.node);
      expect(s.groups).toEqual([]);
      expect(connectionsInSnapshot(s, c)).toEqual([`${n1}|${n2}`, `${n1}|${n3}`, `${n1}|${n4}`, `${n2}|${n3}`, `${n2}|${n4}`, `${n3}|${n4}`]);
      expect(s.edges.filter((e) => e.kind === 'hidden').map((e) => [e.a, e.b].sort().join('|')).sort()).toEqual(
        [n1, n2, n3, n4].map((n) => [n, c.driver.name].sort().join('|')).sort(),
      );
      expect(s.nodes.find((n) => n.name === n1)).toMatchObject({ status: 'up', address: c.node('n1').address, processCount: expect.any(Number), load: { elu: expect.any(Number) } });

      // s_groups, made while the observer watches: the groups as the nodes agreed them, each node's
      // kind, and the connections the s_group policy leaves, as each node itself reports them.
      await makeGroups(c);
      s = await c.waitUntil(
        async () => {
          const snap = await snapshotOf(observer.url);
          const kinds = snap.nodes.filter((n) => n.name !== c.driver.name).map((n) => n.kind);
          return JSON.stringify(kinds) === JSON.stringify(['sgroup', 'sgroup', 'sgroup', 'free']) && snap.groups.length === 2 ? snap : false;
        },
        { timeout: 15_000, what: 'the observer sees g1 and g2' },
      );
      expect(s.groups).toEqual([
        { name: 'g1', members: [n1, n2], version: expect.any(Number) },
        { name: 'g2', members: [n2, n3], version: expect.any(Number) },
      ]);
      expect(s.nodes.filter((n) => n.name !== c.driver.name).map((n) => [n.name, n.groups])).toEqual([
        [n1, ['g1']],
        [n2, ['g1', 'g2']],
        [n3, ['g2']],
        [n4, []],
      ]);
      await c.waitUntil(
        async () => {
          const [fromNodes, shown] = [await connectionsFromNodes(c), connectionsInSnapshot(await snapshotOf(observer.url), c)];
          return JSON.stringify(fromNodes) === JSON.stringify(shown) && shown.includes(`${n1}|${n2}`) && shown.includes(`${n2}|${n3}`);
        },
        { timeout: 15_000, what: 'the observer shows the connections the nodes report' },
      );

      // A process: in the node's names, its list of processes, and its state through Sys.
      const pid = await c.spawn('n2', 'observe.counter', [41], { name: 'counter' });
      await c.waitUntil(async () => (await snapshotOf(observer.url)).nodes.find((n) => n.name === n2)?.names.find((x) => x.scope === 'local')?.names['counter'] === pid.toString(), {
        timeout: 10_000,
        what: 'the observer shows the name counter on n2',
      });
      const listed = await getJson<{ total: number; processes: ObservedProcess[] }>(`${observer.url}api/nodes/${encodeURIComponent(n2)}/processes`);
      expect(listed.status).toBe(200);
      expect(listed.body.processes.find((p) => p.pid === pid.toString())).toMatchObject({ name: 'counter', type: 'observe.counter', behaviour: 'gen_server' });
      const details = await getJson<ProcessDetails>(`${observer.url}api/nodes/${encodeURIComponent(n2)}/processes/${encodeURIComponent(pid.toString())}`);
      expect(details.status).toBe(200);
      expect(details.body).toMatchObject({ info: { pid: pid.toString(), behaviour: 'gen_server' }, sys: { behaviour: 'gen_server', status: 'running', state: { count: 41 } }, sysError: null });
      const rpcServer = listed.body.processes.find((p) => p.name === 'sdnode_rpc')!;
      const plain = await getJson<ProcessDetails>(`${observer.url}api/nodes/${encodeURIComponent(n2)}/processes/${encodeURIComponent(rpcServer.pid)}`);
      expect(plain.body).toMatchObject({ info: { behaviour: null }, sys: null, sysError: null });

      // n4 killed: down, then gone (it is in no s_group); the others stay up.
      await c.kill('n4');
      s = await c.waitUntil(
        async () => {
          const snap = await snapshotOf(observer.url);
          return snap.nodes.every((n) => n.name !== n4) ? snap : false;
        },
        { timeout: 15_000, what: 'n4 gone from the observer' },
      );
      // ... and stays gone (the nodes' address books still hold it: they do not bring it back).
      const gone = s.seq;
      s = await c.waitUntil(async () => {
        const snap = await snapshotOf(observer.url);
        return snap.seq >= gone + 3 ? snap : false;
      }, { timeout: 15_000, what: 'three more snapshots' });
      expect(s.nodes.map((n) => n.name)).not.toContain(n4);
      expect(s.nodes.filter((n) => n.status === 'up').map((n) => n.name)).toEqual([n1, n2, n3, c.driver.name].sort());
      expect(s.edges.some((e) => e.a === n4 || e.b === n4)).toBe(false);
    } finally {
      await observer.close();
    }
  }, 90_000);

  it('shows a partition as missing connections between the sides, and a frozen node as unreachable until it is thawed', async () => {
    const c = cluster();
    const [n1, n2, n3, n4] = c.names() as [string, string, string, string];
    const observer = await observe(c);
    try {
      const missing = async (): Promise<string[]> =>
        (await snapshotOf(observer.url)).edges.filter((e) => e.kind === 'missing').map((e) => `${e.a}|${e.b}`);
      await c.partition([['n1', 'n2'], ['n3', 'n4']]);
      // Free nodes should all be meshed: every pair across the cut is missing. The observer (hidden, in no side) still reaches all four.
      await c.waitUntil(async () => JSON.stringify(await missing()) === JSON.stringify([`${n1}|${n3}`, `${n1}|${n4}`, `${n2}|${n3}`, `${n2}|${n4}`]), {
        timeout: 15_000,
        what: 'the cut shown as missing connections',
      });
      expect((await snapshotOf(observer.url)).nodes.filter((n) => n.status === 'up').map((n) => n.name)).toEqual(expect.arrayContaining([n1, n2, n3, n4]));
      await c.heal();
      await c.waitUntil(async () => (await missing()).length === 0, { timeout: 30_000, what: 'the cluster meshed again' });

      await c.freeze('n4');
      const frozen = await c.waitUntil(
        async () => (await snapshotOf(observer.url)).nodes.find((n) => n.name === n4 && n.status === 'unreachable') ?? false,
        { timeout: 15_000, what: 'n4 unreachable' },
      );
      expect(frozen.error).not.toBeNull();
      await c.thaw('n4');
      await c.waitUntil(async () => (await snapshotOf(observer.url)).nodes.find((n) => n.name === n4)?.status === 'up', { timeout: 20_000, what: 'n4 up again' });
    } finally {
      await observer.close();
    }
  }, 90_000);

  it('runs as `sdnode observe`: prints where the page is, and serves it until stopped', async () => {
    const c = cluster();
    const child = spawn(
      process.execPath,
      [findCli(), 'observe', '--at', c.node('n1').address!, '--on', c.node('n1').name, '--cookie', c.cookie, '--listen', '127.0.0.1:0', '--interval', '500ms', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const lines = createInterface({ input: child.stdout });
      const first = await Promise.race([
        new Promise<string>((resolve) => lines.once('line', resolve)),
        exited.then((code) => Promise.reject(new Error(`sdnode observe exited (${code}): ${stderr}`))),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no line from sdnode observe in 15 s: ${stderr}`)), 15_000).unref()),
      ]);
      const started = JSON.parse(first) as { event: string; url: string; target: string };
      expect(started).toMatchObject({ event: 'observing', target: c.node('n1').name, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) });
      await c.waitUntil(async () => (await snapshotOf(started.url)).nodes.filter((n) => n.status === 'up' && n.kind === 'free').length === 4, {
        timeout: 15_000,
        what: 'the CLI observer sees four free nodes',
      });
      const page = await fetch(started.url, { signal: AbortSignal.timeout(5000) });
      expect(await page.text()).toContain('<title>sdnode observe</title>');
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('sdnode observe did not stop within 10 s')), 10_000).unref())]);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});

