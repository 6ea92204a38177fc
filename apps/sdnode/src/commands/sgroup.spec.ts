// `sdnode sgroup ...` and `sdnode info` against nodes in this process, set up as `sdnode start`
// sets them up (SGroupPolicy, a registry, SGroups, the harness functions), over ZeroMQ on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { Node } from '@sdnode/core';
import { harnessFunctions } from '@sdnode/harness';
import { Registry } from '@sdnode/registry';
import type { SGroups } from '@sdnode/sgroups';
import { runCliCaptured } from '../cli-capture.test-util.js';
import { ExitCode } from '../cli.js';
import { ReportingSGroupPolicy, startNodeSGroups, type SGroupsEvent } from './start-sgroups.js';

const COOKIE = 'sgroup-cli-test';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, trace: () => undefined, fatal: () => undefined, child: () => quiet };

interface Started {
  readonly node: Node;
  readonly sgroups: SGroups;
  readonly events: SGroupsEvent[];
  readonly name: string;
  readonly at: string;
}

async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('sdnode sgroup', () => {
  const started: Node[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.stop()));
  });

  async function start(short: string, groups: Record<string, string[]> = {}): Promise<Started> {
    const policy = new ReportingSGroupPolicy();
    const node = await Node.start({ name: `${short}@127.0.0.1`, cookie: COOKIE, listen: 'tcp://127.0.0.1:0', connectionPolicy: policy, logger: quiet });
    started.push(node);
    const registry = Registry.start(node);
    const events: SGroupsEvent[] = [];
    const sgroups = startNodeSGroups(node, policy, registry, { groups, onChange: (e) => events.push(e) });
    for (const [fn, impl] of Object.entries(harnessFunctions(node, undefined, registry, sgroups))) node.registerFunction(fn, impl);
    return { node, sgroups, events, name: node.name, at: node.address! };
  }

  const cli = (...args: string[]) => runCliCaptured(...args, '--cookie', COOKIE);

  it('creates a group, adds and removes a node, lists the groups with members and versions, and deletes it', async () => {
    const [a, b, c] = [await start('sgc-a'), await start('sgc-b'), await start('sgc-c')];
    const created = await cli('sgroup', 'create', 'g1', a.name, b.name, '--at', a.at, '--address', `${b.name}=${b.at}`);
    expect(created).toMatchObject({ code: ExitCode.ok, err: '' });
    expect(created.out).toMatch(new RegExp(`^created s_group g1 on ${a.name} \\(version 1 by ${a.name}#\\d+\\)\nmembers: ${a.name}, ${b.name}\n$`));
    expect(a.events.at(-1)).toEqual({ kind: 'sgroup', groups: { g1: [a.name, b.name] }, changed: 'g1' });
    await eventually(() => b.sgroups.kind === 'sgroup', 'b is in g1');

    const added = await cli('sgroup', 'add', 'g1', c.name, '--on', a.name, '--at', a.at, '--address', `${c.name}=${c.at}`, '--json');
    expect(added.code).toBe(ExitCode.ok);
    expect(JSON.parse(added.out)).toMatchObject({ node: a.name, op: 'add', definition: { name: 'g1', members: [a.name, b.name, c.name], version: { n: 2 } }, notJoined: [], notReached: [] });
    await eventually(() => c.node.nodes().length === 2, 'c sees a and b');

    const listed = await cli('sgroup', 'list', '--on', 'sgc-c', '--at', c.at); // a bare name takes the host of --at
    expect(listed.code).toBe(ExitCode.ok);
    expect(listed.out).toContain(`node: ${c.name} (s_group node)\ns_groups:\n  g1  version 2 by ${a.name}#`);
    expect(listed.out).toContain(`  ${a.name}, ${b.name}, ${c.name}\n`);

    const removed = await cli('sgroup', 'remove', 'g1', c.name, '--on', b.name, '--at', b.at);
    expect(removed.code).toBe(ExitCode.ok);
    expect(removed.out).toContain(`members: ${a.name}, ${b.name}\n`);
    await eventually(() => c.sgroups.kind === 'free' && c.node.nodes({ all: true }).length === 0, 'c free and cut off');
    expect(c.events.at(-1)).toEqual({ kind: 'free', groups: {}, changed: 'g1' });

    const deleted = await cli('sgroup', 'delete', 'g1', '--on', a.name, '--at', a.at);
    expect(deleted.code).toBe(ExitCode.ok);
    expect(deleted.out).toMatch(/^deleted s_group g1 on .* \(version 4 by .*\)\n$/);
    await eventually(() => b.sgroups.kind === 'free', 'b free');
    const otherList = JSON.parse((await cli('sgroup', 'list', '--on', b.name, '--at', b.at, '--json')).out) as { kind: string; ownGroups: unknown[]; known: unknown[] };
    expect(otherList).toMatchObject({ kind: 'free', ownGroups: [], known: [] });
  });

  it('reports the nodes that could not join (exit 1), and the node\'s own errors with their names', async () => {
    const [a, b] = [await start('sge-a', {}), await start('sge-b')];
    const ghost = 'ghost@127.0.0.1';
    const partly = await cli('sgroup', 'create', 'g1', a.name, ghost, '--at', a.at);
    expect(partly.code).toBe(ExitCode.failed);
    expect(partly.out).toContain(`members: ${a.name}\nnot joined: ${ghost} (unreachable: `);

    const exists = await cli('sgroup', 'create', 'g1', a.name, '--at', a.at);
    expect(exists).toMatchObject({ code: ExitCode.failed, out: '', err: `sdnode: ${a.name}: s_group g1 exists (members: ${a.name}) (GroupExistsError)\n` });
    const self = await cli('sgroup', 'remove', 'g1', a.name, '--on', a.name, '--at', a.at);
    expect(self).toMatchObject({ code: ExitCode.failed, err: `sdnode: ${a.name}: ${a.name} cannot remove itself from s_group g1 (CannotRemoveSelfError)\n` });
    const unknown = await cli('sgroup', 'add', 'g1', a.name, '--on', b.name, '--at', b.at);
    expect(unknown).toMatchObject({ code: ExitCode.failed, err: `sdnode: ${b.name}: ${b.name} knows no s_group g1 (UnknownGroupError)\n` });
    // b hears of g1 once it meets a, and is still not a member.
    await b.node.connect(a.name, { address: a.at });
    await eventually(() => b.sgroups.groups().some((d) => d.name === 'g1'), 'b knows of g1');
    const notMember = await cli('sgroup', 'add', 'g1', b.name, '--on', b.name, '--at', b.at);
    expect(notMember.err).toBe(`sdnode: ${b.name}: ${b.name} is not a member of s_group g1 (NotGroupMemberError)\n`);
    const withoutSelf = await cli('sgroup', 'create', 'g2', a.name, '--on', b.name, '--at', b.at);
    expect(withoutSelf.code).toBe(ExitCode.usage);
    expect(withoutSelf.err).toMatch(/must include the node creating it .* \(InvalidArgumentError\)/);
  });

  it('shows in info the node\'s kind, its groups, and its connections by kind', async () => {
    const a = await start('sgi-a', { g1: ['sgi-a@127.0.0.1', 'sgi-b@127.0.0.1'] });
    const b = await start('sgi-b', { g1: ['sgi-a@127.0.0.1', 'sgi-b@127.0.0.1'] });
    const c = await start('sgi-c');
    await a.node.connect(b.name, { address: b.at });
    await a.node.connect(c.name, { address: c.at }); // c is free: point to point
    await eventually(() => c.sgroups.groups().length === 1, 'c heard of g1 from a');
    const json = JSON.parse((await cli('info', a.name, '--at', a.at, '--json')).out) as Record<string, unknown>;
    expect(json).toMatchObject({ kind: 'sgroup', nodes: [b.name], pointToPoint: [c.name], hiddenNodes: [] });
    expect(json['sgroups']).toMatchObject({ ownGroups: [{ name: 'g1', members: [a.name, b.name], version: 0 }] });
    const text = await cli('info', c.name, '--at', c.at);
    expect(text.code).toBe(ExitCode.ok);
    expect(text.out).toContain('kind:           free node\n');
    expect(text.out).toContain('visible:        (none)\npoint to point: sgi-a@127.0.0.1\nhidden:         (none)\n');
    expect(text.out).toContain('knows of:       g1\n');
    const sgroupNode = await cli('info', b.name, '--at', b.at);
    expect(sgroupNode.out).toMatch(/s_group:        g1 \(version 0 by config:\S+\): sgi-a@127.0.0.1, sgi-b@127.0.0.1\n/);
  });
});
