import { pino } from 'pino';
import { Node, defineProcess, type ProcessContext } from '@sdnode/core';
import { Registry } from '@sdnode/registry';
import { MemoryNetwork, MemoryTransport, StaticResolver } from '@sdnode/transport';
import type { Pid } from '@sdnode/wire';
import { FreeScopeMembership, SGroupPolicy, SGroups, type SGroupsOptions } from '../index.js';

export const Idle = defineProcess('sgroups.test.idle', async (ctx: ProcessContext) => {
  await ctx.receive((x) => (x === 'stop' ? x : undefined));
});

export interface SGroupMember {
  readonly node: Node;
  readonly policy: SGroupPolicy;
  readonly registry: Registry;
  readonly sgroups: SGroups;
  readonly transport: MemoryTransport;
}

export interface SGroupCluster {
  readonly network: MemoryNetwork;
  readonly members: SGroupMember[];
  member(short: string): SGroupMember;
  add(short: string, options?: { hidden?: boolean; groups?: SGroupsOptions['groups'] }): Promise<SGroupMember>;
  kill(m: SGroupMember): Promise<void>;
  stop(): Promise<void>;
  describe(): string;
}

export const full = (short: string): string => (short.includes('@') ? short : `${short}@127.0.0.1`);

export interface SGroupClusterOptions {
  readonly groups?: SGroupsOptions['groups'];
  readonly hidden?: readonly string[];
  readonly cutDelayMs?: number;
  /** The policy's re-dial round (default 1000 ms). */
  readonly meshIntervalMs?: number;
  /**
   * Where a node finds the others: `network` (default), every node attached to the network, by
   * name; `learned`, only the addresses it was given, learnt from handshakes or told by its
   * policy (a StaticResolver, as on a real network). With `learned`, connect with `address`.
   */
  readonly resolver?: 'network' | 'learned';
  /** The transports' handshake timeout (ms). */
  readonly handshakeTimeout?: number;
}

/** Nodes with SGroupPolicy, a registry whose global scope is the free nodes', and SGroups, on one MemoryNetwork. */
export async function sgroupCluster(names: readonly string[], options: SGroupClusterOptions = {}): Promise<SGroupCluster> {
  const network = new MemoryNetwork();
  const members: SGroupMember[] = [];
  const add = async (short: string, o: { hidden?: boolean; groups?: SGroupsOptions['groups'] } = {}): Promise<SGroupMember> => {
    const name = full(short);
    const hidden = o.hidden ?? false;
    const policy = new SGroupPolicy(options.cutDelayMs, options.meshIntervalMs);
    const transport = new MemoryTransport({
      network,
      name,
      cookie: 'test',
      hidden,
      encode: true,
      ...(options.resolver === 'learned' ? { resolver: new StaticResolver() } : {}),
      ...(options.handshakeTimeout !== undefined ? { handshakeTimeout: options.handshakeTimeout } : {}),
    });
    const logger = pino({ level: process.env['SDNODE_LOG_LEVEL'] ?? 'error', base: { node: name } });
    const node = await Node.start({ name, cookie: 'test', transport, hidden, types: [Idle], connectionPolicy: policy, logger });
    const signals = { table: () => policy.table };
    void signals;
    const registry = Registry.start(node, hidden ? { global: false } : { global: { membership: policy.freeMembership(false) } });
    const sgroups = SGroups.start(node, { policy, registry, groups: o.groups ?? options.groups ?? {}, changeTimeout: 2000 });
    const m = { node, policy, registry, sgroups, transport };
    members.push(m);
    return m;
  };
  for (const n of names) await add(n, { hidden: options.hidden?.includes(n) ?? false });
  return {
    network,
    members,
    member: (short) => [...members].reverse().find((m) => m.node.name === full(short))!,
    add,
    async kill(m) {
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
          const i = m.sgroups.info();
          const groups = i.ownGroups.map((g) => `${g.name}[${g.members.join(',')}]v${g.version}`).join(' ');
          return `${m.node.name} (${i.kind}): groups ${groups || '-'}; visible ${m.node.nodes().join(',') || '-'}; all ${m.node.nodes({ all: true }).join(',') || '-'}`;
        })
        .join('\n');
    },
  };
}

export function spawnIdle(node: Node): Pid {
  return node.spawn(Idle);
}

export async function eventually(condition: () => boolean, what: string, describe: () => string = () => '', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}\n${describe()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export { FreeScopeMembership };
