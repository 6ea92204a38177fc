// s_groups with real node processes (the harness's local mode): every node is
// `sdnode start --config sgroups-cluster.local.yaml --node NAME`, whose s_groups are
// g1 = n1, n2, n3 and g2 = n3, n4 (n5 is free). Membership changes go through the CLI
// (`sdnode sgroup`), which asks a node to make them. Needs the built CLI (`npm test` builds first).
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadClusterConfig } from '@sdnode/config';
import { clusterOptionsFromConfig, findCli, HarnessFunctions, RegistryRpc, SGroupRpc, type Cluster, type ClusterOptions, type NodeState } from '@sdnode/harness';
import { useCluster } from '@sdnode/harness/vitest';
import type { RegisterResult } from '@sdnode/registry';
import type { Pid } from '@sdnode/wire';

const CLI = findCli();
const CONFIG = fileURLToPath(new URL('./fixtures/sgroups-cluster.local.yaml', import.meta.url));
const OS_PORTS = fileURLToPath(new URL('./fixtures/sgroups-cluster.os-ports.yaml', import.meta.url));
const [N1, N2, N3, N4, N5] = ['n1@127.0.32.1', 'n2@127.0.32.2', 'n3@127.0.32.3', 'n4@127.0.32.4', 'n5@127.0.32.5'] as const;

function cli(args: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every node's own view: its visible and point-to-point connections, and its kind. */
async function views(c: Cluster): Promise<Record<string, { visible: string[]; p2p: string[]; kind: string | undefined }>> {
  const out: Record<string, { visible: string[]; p2p: string[]; kind: string | undefined }> = {};
  for (const n of c.nodes) {
    const s: NodeState = await c.state(n.name, { timeout: 3000 });
    out[n.shortName] = { visible: s.nodes, p2p: s.pointToPoint, kind: s.sgroups?.kind };
  }
  return out;
}

async function visibleAre(c: Cluster, expected: Record<string, string[]>, what: string): Promise<void> {
  await c.waitUntil(
    async () => {
      const v = await views(c);
      return Object.entries(expected).every(([n, nodes]) => JSON.stringify(v[n]?.visible) === JSON.stringify(nodes));
    },
    { timeout: 15_000, what },
  );
}

describe('s_groups of a cluster file on five node processes', () => {
  let options: Pick<ClusterOptions, 'nodes' | 'cookie' | 'netTickTime'>;
  beforeAll(async () => {
    options = clusterOptionsFromConfig(await loadClusterConfig(CONFIG), 'local');
  });
  // Nobody seeds anybody: the groups connect their members (through the file's addresses).
  const cluster = useCluster(() => ({ ...options, config: CONFIG, seeds: 'none', netTickTime: 4000 }));

  it('connect each node to the members of its groups only, and resolve a group\'s names on its members and, through a member, outside it', async () => {
    const c = cluster();
    await visibleAre(c, { n1: [N2, N3], n2: [N1, N3], n3: [N1, N2, N4], n4: [N3], n5: [] }, 'each node sees its groups\' members');
    const v = await views(c);
    // The file's other nodes are not dialled: no point-to-point connection anywhere.
    expect(Object.values(v).map((x) => x.p2p)).toEqual([[], [], [], [], []]);
    expect(Object.values(v).map((x) => x.kind)).toEqual(['sgroup', 'sgroup', 'sgroup', 'sgroup', 'free']);
    expect((await c.state('n3')).sgroups?.groups.map((g) => [g.name, g.members, g.version])).toEqual([
      ['g1', [N1, N2, N3], 0],
      ['g2', [N3, N4], 0],
    ]);

    const pid = await c.spawn('n1', 'sdnode.echo');
    expect(await c.rpc<RegisterResult>('n1', SGroupRpc.register, ['g1', 'svc', pid], { timeout: 5000 })).toMatchObject({ ok: true });
    for (const member of ['n2', 'n3']) {
      const found = await c.waitUntil(async () => (await c.rpc<Pid | null>(member, RegistryRpc.whereis, ['g1', 'svc'])) ?? false, { timeout: 10_000, what: `${member} resolves svc in g1` });
      expect(found.equals(pid)).toBe(true);
    }
    // n4 is in g2 only: it asks n3, the member of g1 it is connected to.
    expect((await c.rpc<Pid | null>('n4', SGroupRpc.whereis, ['g1', 'svc']))?.equals(pid)).toBe(true);
    await expect(c.rpc('n4', SGroupRpc.register, ['g1', 'x', pid])).rejects.toThrow(/not a member of s_group g1/);
    // Connected to n1 (say, a process of n4 used a pid there), n4 asks it: a point-to-point
    // connection, not visible, not a membership.
    await c.rpc('n4', HarnessFunctions.connect, [N1, c.node('n1').address]);
    expect((await c.rpc<Pid | null>('n4', SGroupRpc.whereis, ['g1', 'svc', N1]))?.equals(pid)).toBe(true);
    const n4 = await c.state('n4');
    expect([n4.nodes, n4.pointToPoint]).toEqual([[N3], [N1]]);
  });

  it('make a free node an s_group node with `sdnode sgroup add`, and free again with `sdnode sgroup remove`', async () => {
    const c = cluster();
    await visibleAre(c, { n3: [N1, N2, N4], n4: [N3], n5: [] }, 'g2 is n3 and n4');
    const at = (n: string): string => c.node(n).address!;

    const added = await cli(['sgroup', 'add', 'g2', N5, '--on', 'n3', '--at', at('n3'), '--cookie', c.cookie]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(new RegExp(`^changed s_group g2 on ${N3} \\(version 1 by ${N3}#\\d+\\)\nmembers: ${N3}, ${N4}, ${N5}\n$`));
    await c.waitForEvent('n5', 'sgroups', { kind: 'sgroup', changed: 'g2' });
    await visibleAre(c, { n3: [N1, N2, N4, N5], n4: [N3, N5], n5: [N3, N4], n1: [N2, N3] }, 'n5 meshed with n3 and n4');
    const listed = await cli(['sgroup', 'list', '--on', 'n5', '--at', at('n5'), '--cookie', c.cookie, '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject({ kind: 'sgroup', ownGroups: [{ name: 'g2', members: [N3, N4, N5], version: 1 }], otherGroups: ['g1'] });

    const removed = await cli(['sgroup', 'remove', 'g2', N5, '--on', 'n4', '--at', at('n4'), '--cookie', c.cookie]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`members: ${N3}, ${N4}\n`);
    await c.waitForEvent('n5', 'sgroups', { kind: 'free', changed: 'g2' });
    // Cut from n3 and n4, and not dialled back (their addresses are in the file, but no group justifies them).
    await c.waitUntil(async () => JSON.stringify(await views(c).then((v) => [v['n5'], v['n3']?.visible])) === JSON.stringify([{ visible: [], p2p: [], kind: 'free' }, [N1, N2, N4]]), {
      timeout: 15_000,
      what: 'n5 free and cut off',
    });
    const info = await cli(['info', 'n5', '--at', at('n5'), '--cookie', c.cookie]);
    expect(info.stdout).toContain('kind:           free node\n');
    expect(info.stdout).toContain('knows of:       g1, g2\n');
  });
});

describe('s_groups of a cluster file whose ports come from the OS', () => {
  let options: Pick<ClusterOptions, 'nodes' | 'cookie' | 'netTickTime'>;
  beforeAll(async () => {
    options = clusterOptionsFromConfig(await loadClusterConfig(OS_PORTS), 'local');
  });
  // The harness's default seeds: every node seeds m1, its way into the cluster.
  const cluster = useCluster(() => ({ ...options, config: OS_PORTS, netTickTime: 4000 }));

  it('find their members through the first node they meet, then close the seed connections no group justifies', async () => {
    const c = cluster(); // started once each node saw its groups' members (waitForMesh with s_groups)
    const [M1, M2, M3, M4] = c.names();
    await c.waitUntil(
      async () => {
        const v = await views(c);
        return JSON.stringify(Object.values(v).map((x) => [x.visible, x.p2p])) === JSON.stringify([[[M2], []], [[M1], []], [[M4], []], [[M3], []]]);
      },
      { timeout: 15_000, what: 'g1 and g2 meshed, the seed connections to m1 closed' },
    );
    await c.waitForEvent('m3', 'nodedown', { node: M1 });
  });
});
