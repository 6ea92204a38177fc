import { pino } from 'pino';
import { Node, defineProcess, type ProcessContext } from '@sdnode/core';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import type { Pid } from '@sdnode/wire';
import { Registry, type RegistryOptions } from '../index.js';

/** Waits for 'stop', then exits normal; exits with the reason it is sent as {exit}. */
export const Idle = defineProcess('registry.test.idle', async (ctx: ProcessContext) => {
  const m = await ctx.receive((x) => (x === 'stop' || (typeof x === 'object' && x !== null && 'crash' in x) ? x : undefined));
  if (m !== 'stop') throw new Error('crash requested');
});

export interface TestMember {
  readonly node: Node;
  readonly registry: Registry;
}

export interface RegistryCluster {
  readonly network: MemoryNetwork;
  readonly members: TestMember[];
  /** Start one more node (with its registry), not connected to anyone. */
  add(name: string, options?: RegistryOptions): Promise<TestMember>;
  /** Kill a node (it stops at once; its peers see the connection drop). */
  kill(m: TestMember): Promise<void>;
  /** Connect every pair of running nodes (the full mesh policy would too, transitively), or only the pairs `linked` accepts. */
  mesh(linked?: (a: TestMember, b: TestMember) => boolean): Promise<void>;
  stop(): Promise<void>;
  /** Every node's view of the scope: for failure messages. */
  describe(scope?: string): string;
}

/** Nodes `<n>@127.0.0.1` on one MemoryNetwork, each with a Registry. */
export async function registryCluster(
  names: readonly string[],
  options: { encode?: boolean; registry?: RegistryOptions; netTickTime?: number } = {},
): Promise<RegistryCluster> {
  const network = new MemoryNetwork();
  const members: TestMember[] = [];
  const add = async (n: string, registry = options.registry): Promise<TestMember> => {
    const name = n.includes('@') ? n : `${n}@127.0.0.1`;
    const transport = new MemoryTransport({
      network,
      name,
      cookie: 'test',
      encode: options.encode ?? true,
      ...(options.netTickTime !== undefined ? { netTickTime: options.netTickTime } : {}),
    });
    const logger = pino({ level: process.env['SDNODE_LOG_LEVEL'] ?? 'error', base: { node: name } });
    const node = await Node.start({ name, cookie: 'test', transport, types: [Idle], logger });
    const m = { node, registry: Registry.start(node, registry) };
    members.push(m);
    return m;
  };
  for (const n of names) await add(n);
  const cluster: RegistryCluster = {
    network,
    members,
    add,
    async kill(m) {
      network.kill(m.node.name);
      await m.node.stop();
    },
    async mesh(linked = () => true) {
      // A cut link is reported a moment later (setImmediate): connect until every pair holds.
      const deadline = Date.now() + 5000;
      for (;;) {
        const live = members.filter((m) => !m.node.isStopped);
        const wanted = (a: TestMember, b: TestMember): boolean => a !== b && linked(a, b);
        const missing = live.flatMap((a) => live.filter((b) => wanted(a, b) && !a.node.nodes().includes(b.node.name)).map((b) => [a, b] as const));
        if (missing.length === 0) {
          await new Promise((r) => setImmediate(r));
          if (live.every((a) => live.every((b) => !wanted(a, b) || a.node.nodes().includes(b.node.name)))) return;
          continue;
        }
        if (Date.now() > deadline) throw new Error(`mesh incomplete: ${missing.map(([a, b]) => `${a.node.name}-${b.node.name}`).join(' ')}`);
        await Promise.allSettled(missing.map(([a, b]) => a.node.connect(b.node.name, { timeout: 1000 })));
      }
    },
    async stop() {
      await Promise.all(members.map((m) => m.node.stop()));
    },
    describe(scope = 'global') {
      return members
        .map((m) => {
          if (m.node.isStopped) return `${m.node.name}: stopped`;
          const s = m.registry.scope(scope);
          if (s === undefined) return `${m.node.name}: no scope ${scope}`;
          const i = s.info();
          const names = s.registeredNames().slice(0, 20).map((n) => `${n}=${String(s.whereis(n))}`);
          return `${m.node.name}: connected ${m.node.nodes().join(',') || '-'}; view ${i.members.join(',')} ${i.state} (waiting ${i.waitingFor.join(',') || '-'}), ${i.names} names [${names.join(' ')}], dropped ${i.stats.dropped}`;
        })
        .join('\n');
    },
  };
  return cluster;
}

/** Spawn n idle processes on a node. */
export function spawnIdle(node: Node, n = 1): Pid[] {
  const out: Pid[] = [];
  for (let i = 0; i < n; i++) out.push(node.spawn(Idle));
  return out;
}

/** Wait until `condition` holds (polling on timers); the error includes `describe()` when it fails. */
export async function eventually(condition: () => boolean, what: string, describe: () => string = () => '', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}\n${describe()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
