// The deployment guide's Compose example, run as a user runs it: docker-compose (v1, Debian's)
// `up -d` of docs/deploy/compose/docker-compose.yml with an env file made the guide's way (the
// image tag, a cookie, `sdnode curve keygen --env`). The five nodes form the s_groups of
// cluster.yaml over CurveZMQ, a name registered in a group resolves on its members, `sdnode info`
// and `sdnode ping` work inside the containers, a stopped node is reported down. `down -v` always.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Node, type NodeInfo } from '@sdnode/core';
import { loadClusterConfig } from '@sdnode/config';
import { RegistryRpc, waitUntil } from '@sdnode/harness';
import type { RegisterResult } from '@sdnode/registry';
import type { Pid } from '@sdnode/wire';
import { e2eContext, suiteTitle } from './support/index.js';
import { ComposeProject, ComposeUnavailableError, PROJECT_PREFIX, composeRequired, probeCompose, run, sweepDeadProjects } from './support/compose.js';

const ctx = e2eContext();
const compose = probeCompose();
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FILE = join(ROOT, 'docs/deploy/compose/docker-compose.yml');
const CLI = join(ROOT, 'apps/sdnode/dist/main.js');
/** Where this repository's node image holds the CLI (an image built from a user's project: node_modules/sdnode). */
const IMAGE_CLI = '/app/apps/sdnode/dist/main.js';
const SERVICES = ['a1', 'a2', 'b1', 'b2', 'gw'] as const;
const full = (s: string): string => `${s}@${s}`;
/** cluster.yaml's layout: zone-a = a1 a2 gw, zone-b = b1 b2 gw; gw is the gateway. */
const LAYOUT: Record<string, string[]> = { a1: ['a2', 'gw'], a2: ['a1', 'gw'], b1: ['b2', 'gw'], b2: ['b1', 'gw'], gw: ['a1', 'a2', 'b1', 'b2'] };

const skipReason = !ctx.available ? undefined : compose.ok ? undefined : composeRequired() ? undefined : `${compose.reason}`;
const title = suiteTitle(ctx, 'the Compose example of the deployment guide');

describe.skipIf(!ctx.available || skipReason !== undefined)(skipReason === undefined ? title : `${title} [skipped: ${skipReason}]`, () => {
  let dir = '';
  let project: ComposeProject | undefined;
  let driver: Node | undefined;
  let env: Record<string, string> = {};

  beforeAll(async () => {
    if (!compose.ok) throw new ComposeUnavailableError(compose.reason);
    if (!ctx.available) return;
    await sweepDeadProjects(); // what killed runs of this test left behind
    dir = mkdtempSync(join(tmpdir(), 'sdnode-deploy-compose-'));
    // The guide's env file: the keypair from `sdnode curve keygen --env`, a cookie, the image.
    const keygen = await run(process.execPath, [CLI, 'curve', 'keygen', '--env'], { timeoutMs: 30_000 });
    expect(keygen.code).toBe(0);
    env = Object.fromEntries(keygen.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const lines = [keygen.stdout.trim(), `SDNODE_COOKIE=${randomBytes(24).toString('hex')}`, `SDNODE_IMAGE=${ctx.image}`, `SDNODE_CLI=${IMAGE_CLI}`];
    writeFileSync(join(dir, 'deploy.env'), `${lines.join('\n')}\n`, { mode: 0o600 });
    env['SDNODE_COOKIE'] = lines[1]!.slice('SDNODE_COOKIE='.length);
    project = new ComposeProject(FILE, `${PROJECT_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`, join(dir, 'deploy.env'));
    await project.compose(['up', '-d'], 180_000);
    // The test process joins as a hidden node on the project's network, with the cluster's keys.
    const gateway = await project.gateway();
    const config = await loadClusterConfig(join(ROOT, 'docs/deploy/compose/cluster.yaml'));
    driver = await Node.start({
      netTickTime: config.netTickTime, // the cluster's tick time: peers declare a node down after it
      name: `driver-${process.pid}@${gateway}`,
      cookie: env['SDNODE_COOKIE']!,
      listen: `tcp://${gateway}:0`,
      hidden: true,
      curve: { publicKey: env['SDNODE_CURVE_PUBLIC_KEY']!, secretKey: env['SDNODE_CURVE_SECRET_KEY']! },
    });
    for (const s of SERVICES) {
      const address = `tcp://${await project.ip(s)}:4370`;
      await waitUntil(async () => (await driver!.connect(full(s), { address, timeout: 5_000 }), true), { timeout: 60_000, interval: 250, what: `the driver reached ${s} at ${address}` });
    }
  });

  afterEach(async (test) => {
    if (test.task.result?.state === 'fail' && project !== undefined) process.stderr.write(`[deploy-compose] every node's log:\n${await project.logs()}\n`);
  });

  afterAll(async () => {
    await driver?.stop().catch(() => undefined);
    try {
      await project?.down();
    } finally {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    }
  });

  const visible = async (s: string): Promise<string[]> => (await driver!.rpc<NodeInfo>(full(s), 'sdnode.info', [], { timeout: 5_000 })).nodes.slice().sort();
  const layoutHolds = (layout: Record<string, string[]>, what: string): Promise<true> =>
    waitUntil(
      async () => {
        for (const [s, peers] of Object.entries(layout)) if ((await visible(s)).join() !== peers.map(full).sort().join()) return false;
        return true as const;
      },
      { timeout: 90_000, interval: 500, what },
    );

  it('forms the s_groups of the cluster file over CurveZMQ; sdnode info and ping work in the containers', async () => {
    await layoutHolds(LAYOUT, 'every node connected to exactly the members of its zone\'s group (gw: both)');
    // What the guide shows: the CLI in a container asks its node (the environment has the keys and cookie).
    const info = await project!.exec('gw', ['/usr/local/bin/node', IMAGE_CLI, 'info', 'gw@gw', '--at', 'tcp://127.0.0.1:4370', '--json']);
    expect(info.code, info.stderr).toBe(0);
    const gw = JSON.parse(info.stdout) as { kind: string; nodes: string[]; sgroups?: { ownGroups: { name: string; members: string[] }[] } };
    expect(gw.kind).toBe('sgroup');
    expect(gw.nodes.slice().sort()).toEqual(LAYOUT['gw']!.map(full).sort());
    expect(gw.sgroups?.ownGroups.map((g) => g.name).sort()).toEqual(['zone-a', 'zone-b']);
    // Asking another container's node: the CLI's node must listen where that node can dial it back.
    const pong = await project!.exec('a1', ['/usr/local/bin/node', IMAGE_CLI, 'ping', 'b1@b1', '--at', 'tcp://b1:4370', '--listen', `tcp://${await project!.ip('a1')}:0`]);
    expect(pong.stdout.trim(), pong.stderr).toBe('pong');
    // The compose file's health checks (sdnode ping) pass.
    await waitUntil(async () => (await Promise.all(SERVICES.map((s) => project!.health(s)))).every((h) => h === 'healthy'), {
      timeout: 120_000,
      interval: 1_000,
      what: 'every service healthy (its sdnode ping health check)',
    });
  });

  it('resolves a name registered in a group on the group\'s members, the same name in the other group apart', async () => {
    await layoutHolds(LAYOUT, 'the s_groups layout');
    const inA = await driver!.run((c) => c.spawnRemote(full('a1'), 'sdnode.echo', [], { timeout: 10_000 }));
    const inB = await driver!.run((c) => c.spawnRemote(full('b2'), 'sdnode.echo', [], { timeout: 10_000 }));
    expect((await driver!.rpc<RegisterResult>(full('a1'), RegistryRpc.register, ['zone-a', 'billing', inA], { timeout: 10_000 })).ok).toBe(true);
    expect((await driver!.rpc<RegisterResult>(full('b2'), RegistryRpc.register, ['zone-b', 'billing', inB], { timeout: 10_000 })).ok).toBe(true);
    const whereis = (s: string, group: string) => driver!.rpc<Pid | null>(full(s), RegistryRpc.whereis, [group, 'billing'], { timeout: 5_000 });
    for (const s of ['a2', 'gw']) await waitUntil(async () => (await whereis(s, 'zone-a'))?.equals(inA) === true, { timeout: 30_000, what: `${s} resolves zone-a billing` });
    for (const s of ['b1', 'gw']) await waitUntil(async () => (await whereis(s, 'zone-b'))?.equals(inB) === true, { timeout: 30_000, what: `${s} resolves zone-b billing` });
  });

  it('reports a stopped node down on its group\'s members', async () => {
    await layoutHolds(LAYOUT, 'the s_groups layout');
    await project!.compose(['stop', '-t', '10', 'b2']);
    const { b2: _stopped, ...others } = LAYOUT;
    await layoutHolds({ ...others, b1: ['gw'], gw: ['a1', 'a2', 'b1'] }, 'b2 gone from b1 and gw, the rest as before');
    for (const s of ['b1', 'gw']) {
      await waitUntil(async () => (await project!.events(s)).some((e) => e['event'] === 'nodedown' && e['node'] === full('b2')), {
        timeout: 30_000,
        interval: 1_000,
        what: `${s} logged nodedown of b2@b2`,
      });
    }
    expect((await project!.events('a1')).some((e) => e['event'] === 'nodeup' && e['node'] === full('b2'))).toBe(false); // never connected: other group
  });
});
