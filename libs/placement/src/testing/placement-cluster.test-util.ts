import { pino } from 'pino';
import { Node, defineProcess, type ProcessContext } from '@sdnode/core';
import { Registry } from '@sdnode/registry';
import { SGroupPolicy, SGroups } from '@sdnode/sgroups';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { Placement, type PlacementOptions } from '../placement.js';

/** A process that waits for 'stop' (or an exit signal). */
export const Worker = defineProcess('placement.test.worker', async (ctx: ProcessContext) => {
  await ctx.receive((x) => (x === 'stop' ? x : undefined));
});

export interface PlacedMember {
  readonly node: Node;
  readonly transport: MemoryTransport;
  readonly placement: Placement;
  readonly sgroups?: SGroups;
}

export interface PlacementCluster {
  readonly network: MemoryNetwork;
  readonly members: PlacedMember[];
  member(short: string): PlacedMember;
  kill(short: string): Promise<void>;
  stop(): Promise<void>;
  /** Every node's view, for failure messages. */
  describe(): string;
}

export const full = (short: string): string => (short.includes('@') ? short : `${short}@127.0.0.1`);

export interface MemberSpec extends Omit<PlacementOptions, 'sgroups'> {
  readonly name: string;
}

/**
 * Nodes on one MemoryNetwork, each with Placement (fast refresh and probes). With `groups`, the
 * nodes run s_groups (SGroupPolicy, a registry, SGroups) and placement knows the groups; without,
 * they form a full mesh through their seeds.
 */
export async function placementCluster(specs: readonly MemberSpec[], options: { groups?: Readonly<Record<string, readonly string[]>> } = {}): Promise<PlacementCluster> {
  const network = new MemoryNetwork();
  const members: PlacedMember[] = [];
  let seeds: Record<string, string> | undefined;
  for (const spec of specs) {
    const name = full(spec.name);
    const transport = new MemoryTransport({ network, name, cookie: 'test', encode: true });
    const logger = pino({ level: process.env['SDNODE_LOG_LEVEL'] ?? 'error', base: { node: name } });
    const groups = options.groups;
    const policy = groups !== undefined ? new SGroupPolicy() : undefined;
    const node = await Node.start({
      name,
      cookie: 'test',
      transport,
      types: [Worker],
      logger,
      ...(policy !== undefined ? { connectionPolicy: policy } : seeds !== undefined ? { seeds } : {}),
    });
    seeds ??= { [name]: node.address! };
    let sgroups: SGroups | undefined;
    if (policy !== undefined) {
      const registry = Registry.start(node, { global: { membership: policy.freeMembership(false) } });
      const byName = Object.fromEntries(Object.entries(groups!).map(([g, ms]) => [g, ms.map(full)]));
      sgroups = SGroups.start(node, { policy, registry, groups: byName, changeTimeout: 2000 });
    }
    const { name: _n, ...popts } = spec;
    const placement = Placement.start(node, { refreshInterval: 50, probeInterval: 50, ...popts, ...(sgroups !== undefined ? { sgroups } : {}) });
    members.push({ node, transport, placement, ...(sgroups !== undefined ? { sgroups } : {}) });
  }
  return {
    network,
    members,
    member: (short) => members.find((m) => m.node.name === full(short))!,
    async kill(short) {
      const m = members.find((x) => x.node.name === full(short))!;
      network.kill(m.node.name);
      await m.node.stop();
    },
    async stop() {
      await Promise.all(members.map((m) => m.node.stop()));
    },
    describe() {
      return members
        .map((m) => {
          if (m.node.isStopped) return `${m.node.name}: stopped`;
          const view = m.placement.nodes().map((r) => `${r.node}(age ${r.age} ms, rtt ${r.rtt ?? '-'}, load ${String(r.attributes['load'])})`);
          return `${m.node.name}: visible ${m.node.nodes().join(',') || '-'}; view ${view.join(' ')}`;
        })
        .join('\n');
    },
  };
}

export async function eventually(condition: () => boolean, what: string, describe: () => string = () => '', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}\n${describe()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
