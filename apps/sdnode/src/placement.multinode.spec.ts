// Implicit process placement with real node processes (the harness's local mode): every node is
// `sdnode start --config placement-cluster.local.yaml --node NAME --module placement-node.mjs`,
// whose placement runs with the file's attributes, locations (zones z1, z2 of racks r1, r2), levels
// and policies. Tests ask a node through its placement rpc functions (PlacementRpc), the CLI
// (`sdnode placement`), or the module's functions. Needs the built CLI (`npm test` builds first).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadClusterConfig } from '@sdnode/config';
import { clusterOptionsFromConfig, findCli, PlacementRpc, type Cluster, type ClusterOptions } from '@sdnode/harness';
import { useCluster } from '@sdnode/harness/vitest';
import { PlacementFunctions } from '@sdnode/placement';
import { UnknownFunctionError, isPid, type Pid } from '@sdnode/wire';

const CLI = findCli();
const CONFIG = fileURLToPath(new URL('./fixtures/placement-cluster.local.yaml', import.meta.url));
const MODULE = fileURLToPath(new URL('./fixtures/placement-node.mjs', import.meta.url));
const [P1, P2, P3, P4] = ['p1@127.0.34.1', 'p2@127.0.34.2', 'p3@127.0.34.3', 'p4@127.0.34.4'] as const;
const VISIBLE = [P1, P2, P3, P4];

function cli(args: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Wait until `node`'s placement view holds exactly `nodes` (name order). */
async function viewIs(c: Cluster, node: string, nodes: readonly string[], what: string): Promise<void> {
  const placement = new PlacementRpc(c);
  await c.waitUntil(async () => JSON.stringify(await placement.known(node, { timeout: 3000 })) === JSON.stringify(nodes), { timeout: 15_000, what });
}

let options: Pick<ClusterOptions, 'nodes' | 'cookie' | 'netTickTime'>;
beforeAll(async () => {
  options = clusterOptionsFromConfig(await loadClusterConfig(CONFIG), 'local');
});
const clusterOptions = (): ClusterOptions => ({ ...options, config: CONFIG, module: MODULE, netTickTime: 4000 });

describe('placement on four node processes and a hidden one, from a cluster file', () => {
  // One cluster for these tests: they change attributes only, and set them back.
  const cluster = useCluster(clusterOptions, { per: 'suite' });

  it('spreads the file\'s attributes and locations to every peer, and an attribute set on one node reaches the choices of another', async () => {
    const c = cluster();
    const placement = new PlacementRpc(c);
    await viewIs(c, 'p1', VISIBLE, 'p1 knows the four visible nodes');
    const view = await placement.nodes('p1');
    expect(view.find((r) => r.node === P4)).toMatchObject({ attributes: { tier: 'worker', disk: 'ssd', cpus: expect.any(Number), processes: expect.any(Number) }, location: { zone: 'z2', rack: 'r2' } });
    expect(await placement.info('p1')).toMatchObject({ node: P1, levels: ['zone', 'rack'], location: { zone: 'z1', rack: 'r1' }, policies: ['first-worker', 'local-worker', 'worker-per-zone', 'workers'] });
    // The hidden node runs no placement, and no one's view holds it.
    await expect(c.rpc('t1', PlacementFunctions.info, [])).rejects.toBeInstanceOf(UnknownFunctionError);
    // The file's policies, decided on the node: the nearest worker of p3's zone is p4; one worker per zone.
    expect(await placement.choose('p3', 'local-worker')).toEqual([P4]);
    expect(await placement.choose('p1', 'worker-per-zone')).toEqual([P2, P3]);

    await placement.setAttribute('p3', 'gpu', true);
    await c.waitUntil(async () => (await placement.attributes('p1', P3))?.['gpu'] === true, { timeout: 5000, what: 'p1 hears that p3 has a gpu' });
    expect(await placement.choose('p1', { where: { gpu: true } }, 3)).toEqual([P3, P3, P3]);
    await placement.deleteAttribute('p3', 'gpu');
    await c.waitUntil(async () => (await placement.attributes('p1', P3))?.['gpu'] === undefined, { timeout: 5000, what: 'p1 hears the gpu is gone' });
    await expect(placement.choose('p1', { where: { gpu: true } })).rejects.toThrow(/NoEligibleNodeError/);
  });

  it('stops choosing a node that becomes loaded', async () => {
    const c = cluster();
    const placement = new PlacementRpc(c);
    await viewIs(c, 'p1', VISIBLE, 'p1 knows the four visible nodes');
    const spec = { where: { tier: 'worker' }, self: 'exclude', loadAttribute: 'queue' } as const;
    const loads = async (p2: number): Promise<void> => {
      await Promise.all([placement.setAttribute('p2', 'queue', p2), placement.setAttribute('p3', 'queue', 5), placement.setAttribute('p4', 'queue', 5)]);
      await c.waitUntil(
        async () => {
          const v = await placement.nodes('p1');
          const q = (n: string) => v.find((r) => r.node === n)?.attributes['queue'];
          return q(P2) === p2 && q(P3) === 5 && q(P4) === 5;
        },
        { timeout: 5000, what: `p1 hears the queues (p2 ${p2})` },
      );
    };
    try {
      await loads(1);
      // least_loaded compares two random candidates: p2 wins every pair it is in.
      expect(await placement.choose('p1', spec, 30)).toContain(P2);
      await loads(50);
      expect(new Set(await placement.choose('p1', spec, 30))).toEqual(new Set([P3, P4]));
    } finally {
      await Promise.all(['p2', 'p3', 'p4'].map((n) => placement.deleteAttribute(n, 'queue')));
    }
  });

  it('explains a policy of the file through `sdnode placement explain`: the nodes excluded and why, the scores, the choice', async () => {
    const c = cluster();
    await viewIs(c, 'p1', VISIBLE, 'p1 knows the four visible nodes');
    const at = ['--config', CONFIG, '--at', c.node('p1').address!, '--on', 'p1'];
    const workers = await cli(['placement', 'explain', 'workers', ...at]);
    expect(workers.stderr).toBe('');
    expect(workers.code).toBe(0);
    expect(workers.stdout).toContain(`placement policy workers (from ${CONFIG}) on ${P1}, strategy least_loaded\n`);
    expect(workers.stdout).toMatch(new RegExp(`\\n  ${P1} +excluded: self excluded\\n`));
    for (const n of [P2, P3, P4]) expect(workers.stdout).toMatch(new RegExp(`\\n[ *] ${n} +eligible, score [0-9.e-]+\\n`));
    expect(workers.stdout).toMatch(/\n3 of 4 known nodes eligible\nchosen: p[234]@127\.0\.34\.[234]\n$/);

    const ssd = await cli(['placement', 'explain', '--spec', '{"where": {"disk": "ssd"}}', ...at, '--json']);
    expect(ssd.code).toBe(0);
    expect(JSON.parse(ssd.stdout)).toMatchObject({
      node: P1,
      chosen: [P4],
      candidates: [
        { node: P1, excludedBy: 'where disk eq "ssd"' },
        { node: P2, excludedBy: 'where disk eq "ssd"' },
        { node: P3, excludedBy: 'where disk eq "ssd"' },
        { node: P4, score: expect.any(Number) },
      ],
    });

    const unknown = await cli(['placement', 'explain', 'no-such-policy', ...at]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no placement policy "no-such-policy" (it has: first-worker, local-worker, worker-per-zone, workers)');

    const nodes = await cli(['placement', 'nodes', ...at]);
    expect(nodes.code).toBe(0);
    expect(nodes.stdout).toContain(`${P1} knows 4 nodes; location zone=z1,rack=r1; levels zone > rack\n`);
    expect(nodes.stdout).toMatch(new RegExp(`\\n${P4} +zone=z2,rack=r2 .* disk=ssd,tier=worker\\n`));

    const info = await cli(['info', 'p1', '--at', c.node('p1').address!, '--cookie', c.cookie]);
    expect(info.stdout).toContain('placement:      knows 4 nodes; location zone=z1, rack=r1; levels zone > rack\n');
  });
});

describe('placement when nodes die', () => {
  const cluster = useCluster(clusterOptions);

  it("removes a node that dies from the choices at once, without waiting for a report", async () => {
    const c = cluster();
    const placement = new PlacementRpc(c);
    await viewIs(c, 'p1', VISIBLE, 'p1 knows the four visible nodes');
    const spec = { where: { tier: 'worker' }, strategy: 'round_robin' } as const;
    expect(new Set(await placement.choose('p1', spec, 6))).toEqual(new Set([P2, P3, P4]));
    await c.kill('p3');
    await c.waitUntil(async () => !(await c.connectedNodes('p1')).includes(P3), { timeout: 15_000, what: 'p1 sees p3 down' });
    // As soon as p1 knows p3 is down (its nodedown), p3 is out of its view and its choices.
    expect(await placement.known('p1')).toEqual([P1, P2, P4]);
    expect(new Set(await placement.choose('p1', spec, 6))).toEqual(new Set([P2, P4]));
  });

  it('restarts a supervised placed child on another node when its node is killed', async () => {
    const c = cluster();
    await viewIs(c, 'p1', VISIBLE, 'p1 knows the four visible nodes');
    // A supervisor on p1 whose child goes where the file's policy first-worker says: the first worker by name.
    await c.rpc('p1', 'placement.test.supervise', ['first-worker']);
    const child = async (): Promise<Pid | null> => {
      const pid = await c.rpc<unknown>('p1', 'placement.test.child', [], { timeout: 5000 });
      return isPid(pid) ? pid : null;
    };
    const first = await child();
    expect(first?.node).toBe(P2);
    await c.kill('p2');
    const moved = await c.waitUntil(
      async () => {
        const pid = await child();
        return pid !== null && pid.node !== P2 ? pid : false;
      },
      { timeout: 15_000, what: 'the placed child restarted away from p2' },
    );
    expect(moved.node).toBe(P3);
    expect((await c.processes('p3')).some((p) => p.pid.equals(moved))).toBe(true);
  });
});
