// A group of 16 nodes over real TCP (the default net transport, ports from the OS), started as
// the harness starts a cluster file without addresses: every node knows only the first node's
// address (its seed). The members learn each other's addresses from the groups' INFO, and must
// dial them as they learn them: here the policy's re-dial round is one minute, so a mesh that
// waited for it would not form before the deadline. `SDNODE_MESH_FREE=1` runs the same 16 nodes
// free (the classic mesh of NODES gossip), to compare the times the test prints.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Node } from '@sdnode/core';
import { SGroupPolicy, SGroups } from './index.js';

const N = 16;
const DEADLINE_MS = 15_000;

interface Member {
  readonly node: Node;
  readonly policy: SGroupPolicy;
  readonly sgroups: SGroups;
}

async function start(name: string, group: readonly string[]): Promise<Member> {
  const policy = new SGroupPolicy(300, 60_000);
  const logger = pino({ level: process.env['SDNODE_LOG_LEVEL'] ?? 'error', base: { node: name } });
  const node = await Node.start({ name, cookie: 'mesh16', listen: 'tcp://127.0.0.1:0', connectionPolicy: policy, logger });
  const sgroups = SGroups.start(node, { policy, groups: process.env['SDNODE_MESH_FREE'] === '1' ? {} : { g: group } });
  return { node, policy, sgroups };
}

function describeAll(members: readonly Member[]): string {
  return members
    .map((m) => {
      const i = m.sgroups.info();
      return `${m.node.name} (${i.kind}) at ${m.node.address ?? '?'}: connected ${i.connected.length}, unreachable ${i.unreachable.join(',') || '-'}; knows the address of ${m.policy.addressBook.size}`;
    })
    .join('\n');
}

describe('a group of 16 over TCP with ports from the OS', () => {
  const members: Member[] = [];
  afterEach(async () => {
    await Promise.all(members.map((m) => m.node.stop()));
    members.length = 0;
  });

  it('meshes from its seed alone: each member dials the members whose addresses it learns, at once', async () => {
    const names = Array.from({ length: N }, (_, i) => `m${i + 1}@127.0.0.1`);
    members.push(await start(names[0]!, names));
    members.push(...(await Promise.all(names.slice(1).map((n) => start(n, names)))));
    const seed = members[0]!.node;
    const t0 = performance.now();
    await Promise.all(members.slice(1).map((m) => m.node.connect(seed.name, { address: seed.address!, timeout: 10_000 })));
    const deadline = Date.now() + DEADLINE_MS;
    while (!members.every((m) => m.node.nodes().length === N - 1)) {
      if (Date.now() > deadline) throw new Error(`the group did not mesh in ${DEADLINE_MS} ms:\n${describeAll(members)}`);
      await new Promise((r) => setTimeout(r, 10)); // polling interval of the condition
    }
    const ms = performance.now() - t0;
    expect(members.every((m) => m.sgroups.info().unreachable.length === 0), describeAll(members)).toBe(true);
    // For the record: how long the mesh took once every node had met its seed.
    console.log(`${process.env['SDNODE_MESH_FREE'] === '1' ? '16 free nodes' : '16-member group'} meshed ${Math.round(ms)} ms after the seed connections were made`);
  }, 60_000);
});
