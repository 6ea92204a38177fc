// `sdnode placement explain|nodes` against nodes in this process, with placement as `sdnode start`
// runs it (startPlacement), over ZeroMQ on loopback; the cluster file names them with their
// addresses, so `--at NODE` finds them and the cookie comes from the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Node } from '@sdnode/core';
import { runCliCaptured } from '../cli-capture.test-util.js';
import { ExitCode } from '../cli.js';
import { ReportingSGroupPolicy, startNodeSGroups } from './start-sgroups.js';
import { startPlacement } from './start.js';
import { Registry } from '@sdnode/registry';

const COOKIE = 'placement-cli-test';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, trace: () => undefined, fatal: () => undefined, child: () => quiet };

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('sdnode placement', () => {
  const nodes: Node[] = [];
  let dir: string;
  let file: string;
  const [A, B, C] = ['plc-a@127.0.0.1', 'plc-b@127.0.0.1', 'plc-c@127.0.0.1'];

  /** A node as `sdnode start` runs it (no policies of its own: the CLI sends the file's). */
  async function start(name: string, zone: string, tier: string, hidden = false): Promise<Node> {
    const policy = new ReportingSGroupPolicy();
    const seeds = nodes.length > 0 && !hidden ? { [nodes[0]!.name]: nodes[0]!.address! } : {};
    const node = await Node.start({ name, cookie: COOKIE, listen: 'tcp://127.0.0.1:0', connectionPolicy: policy, logger: quiet, hidden, seeds });
    nodes.push(node);
    const sgroups = startNodeSGroups(node, policy, Registry.start(node, { global: hidden ? false : { membership: policy.freeMembership(false) } }));
    startPlacement(node, { attributes: { tier }, location: { zone }, locationLevels: ['zone', 'host'] }, sgroups);
    return node;
  }

  beforeAll(async () => {
    const a = await start(A, 'z1', 'edge');
    const b = await start(B, 'z1', 'worker');
    const c = await start(C, 'z2', 'worker');
    const tool = await start('plc-tool@127.0.0.1', 'z1', 'tool', true);
    await eventually(() => a.nodes().length === 2 && b.nodes().length === 2 && c.nodes().length === 2, 'a full mesh');
    dir = mkdtempSync(join(tmpdir(), 'sdnode-placement-cli-'));
    file = join(dir, 'cluster.yaml');
    const entry = (n: Node, extra = '') => `  - {name: ${n.name}, advertise: "${n.address!}"${extra}}`;
    writeFileSync(
      file,
      [
        `cookie: ${COOKIE}`,
        'locationLevels: [zone, host]',
        'nodes:',
        entry(a),
        entry(b),
        entry(c),
        entry(tool, ', hidden: true'),
        '  - {name: plc-nowhere@127.0.0.1, port: 0}',
        'placement:',
        '  workers: {where: {tier: worker}, strategy: first}',
        '  near-b: {near: {node: plc-b@127.0.0.1, within: zone}, self: exclude, strategy: nearest}',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  const at = (...more: string[]) => ['--config', file, '--at', 'plc-a', ...more];

  it('explains a policy of the file on the node --at names, which need not have it: every node, why it is excluded or its score, the choice', async () => {
    await eventually(() => nodes[0]!.nodes().length === 2, 'a sees b and c');
    const r = await runCliCaptured('placement', 'explain', 'near-b', ...at());
    expect(r).toMatchObject({ code: ExitCode.ok, err: '' });
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`placement policy near-b (from ${file}) on ${A}, strategy nearest`);
    expect(lines[1]).toBe('spec: {"near":{"node":"plc-b@127.0.0.1","within":"zone"},"self":"exclude","strategy":"nearest"}');
    expect(lines[2]).toMatch(/^ {2}node +verdict$/);
    expect(lines[3]).toMatch(new RegExp(`^  ${A} +excluded: self excluded$`));
    expect(lines[4]).toMatch(new RegExp(`^\\* ${B} +eligible, score [0-9.e-]+$`));
    expect(lines[5]).toMatch(new RegExp(`^  ${C} +excluded: not within zone of node ${B}$`));
    expect(lines.slice(6)).toEqual(['1 of 3 known nodes eligible', `chosen: ${B}`, '']);

    const json = await runCliCaptured('placement', 'explain', 'workers', ...at('--json'));
    expect(JSON.parse(json.out)).toEqual({
      policy: 'workers',
      node: A,
      spec: '{"where":{"tier":"worker"},"strategy":"first"}',
      strategy: 'first',
      chosen: [B],
      candidates: [{ node: A, excludedBy: 'where tier eq "worker"' }, { node: B }, { node: C }],
    });
  });

  it('explains an inline spec, asks by endpoint with --on, and shows the node\'s view', async () => {
    const a = nodes[0]!;
    const inline = await runCliCaptured('placement', 'explain', '--spec', '{"where": {"tier": "none"}}', '--at', a.address!, '--on', 'plc-a', '--cookie', COOKIE);
    expect(inline.code).toBe(ExitCode.ok);
    expect(inline.out).toContain('0 of 3 known nodes eligible\nchosen: none (no known node fits the spec)\n');
    // With the file, the node listening at the endpoint is found in it.
    const byAddress = await runCliCaptured('placement', 'explain', 'workers', '--config', file, '--at', a.address!);
    expect(byAddress.out).toContain(`chosen: ${B}\n`);
    const view = await runCliCaptured('placement', 'nodes', ...at());
    expect(view.code).toBe(ExitCode.ok);
    expect(view.out.split('\n').slice(0, 3)).toEqual([
      `${A} knows 3 nodes; location zone=z1; levels zone > host`,
      'policies: (none)',
      expect.stringMatching(/^node +location +load +processes +rtt +age +attributes$/),
    ]);
    expect(view.out).toMatch(new RegExp(`\\n${A} \\(self\\) +zone=z1 +[0-9.]+ +\\d+ +- +- +tier=edge\\n`));
    expect(view.out).toMatch(new RegExp(`\\n${C} +zone=z2 +[0-9.]+ +\\d+ +([0-9.]+ ms|unmeasured) +\\d+ ms +tier=worker\\n`));
    const viewJson = JSON.parse((await runCliCaptured('placement', 'nodes', ...at('--json'))).out) as { info: { node: string }; nodes: { node: string }[] };
    expect([viewJson.info.node, viewJson.nodes.map((n) => n.node)]).toEqual([A, [A, B, C]]);
  });

  it('exits 2 for an unknown policy, a bad spec or bad flags, and 1 for a node it cannot reach or without placement', async () => {
    const unknown = await runCliCaptured('placement', 'explain', 'web', ...at());
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.err).toBe(`sdnode: invalid POLICY: ${file} has no placement policy "web" (it has: near-b, workers)\n`);
    const ownPolicy = await runCliCaptured('placement', 'explain', 'web', '--at', nodes[0]!.address!, '--on', 'plc-a', '--cookie', COOKIE);
    expect(ownPolicy.code).toBe(ExitCode.usage);
    expect(ownPolicy.err).toBe(`sdnode: ${A}: ${A} has no placement policy web (UnknownPlacementPolicyError)\n`);
    const badSpec = await runCliCaptured('placement', 'explain', '--spec', '{"spread": "planet", "count": 2}', ...at());
    expect(badSpec.code).toBe(ExitCode.usage);
    expect(badSpec.err).toMatch(/InvalidPlacementSpecError/);
    expect((await runCliCaptured('placement', 'explain', '--spec', '[1]', ...at())).err).toMatch(/invalid --spec: a JSON object/);
    expect((await runCliCaptured('placement', 'explain', 'workers', '--spec', '{}', ...at())).code).toBe(ExitCode.usage);
    expect((await runCliCaptured('placement', 'explain', ...at())).err).toMatch(/invalid POLICY: give a policy name/);
    const noWhere = await runCliCaptured('placement', 'nodes', '--config', file, '--at', 'plc-nowhere');
    expect(noWhere.code).toBe(ExitCode.usage);
    expect(noWhere.err).toMatch(/the file does not say where plc-nowhere@127\.0\.0\.1 listens/);
    expect((await runCliCaptured('placement', 'nodes', '--config', file, '--at', 'plc-zz')).code).toBe(ExitCode.usage);
    expect((await runCliCaptured('placement', 'nodes', '--at', 'plc-a', '--cookie', COOKIE)).err).toMatch(/invalid --at: expected tcp:\/\/HOST:PORT, or a node name with --config FILE/);
    expect((await runCliCaptured('placement', 'nodes', '--at', 'tcp://127.0.0.1:1', '--cookie', COOKIE)).err).toMatch(/invalid --on: required with --at ENDPOINT/);

    const hidden = await runCliCaptured('placement', 'nodes', ...at().slice(0, 2), '--at', 'plc-tool');
    expect(hidden.code).toBe(ExitCode.failed);
    expect(hidden.err).toBe('sdnode: plc-tool@127.0.0.1 runs no placement (a hidden node runs none)\n');
    const unreachable = await runCliCaptured('placement', 'explain', 'workers', '--config', file, '--at', 'tcp://127.0.0.1:1', '--on', 'plc-a', '--timeout', '300ms');
    expect(unreachable.code).toBe(ExitCode.failed);
    expect(unreachable.err).toMatch(/^sdnode: cannot reach plc-a@127\.0\.0\.1 at tcp:\/\/127\.0\.0\.1:1: /);
  });
});
