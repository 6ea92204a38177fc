import { Node, defineProcess, type CoreLogger, type ProcessContext } from '@sdnode/core';
import { Registry, type ScopeOptions } from '@sdnode/registry';
import { SGroupPolicy, SGroups, type ClusterGroups } from '@sdnode/sgroups';
import type { Transport } from '@sdnode/transport';

/** A process that waits until told `stop`: what the measurements register names for. */
export const Holder = defineProcess('sdnode.sim.holder', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

/** A logger that drops everything (ten thousand nodes each with a pino logger would cost memory and time). */
export function silentLogger(): CoreLogger {
  const noop = (): void => undefined;
  const logger: CoreLogger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
  return logger;
}

/** One node as the simulator runs it: the real runtime, connection policy, registry and s_groups. */
export interface SimNode {
  readonly node: Node;
  readonly policy: SGroupPolicy;
  readonly registry: Registry;
  readonly sgroups: SGroups;
}

export interface SimNodeOptions {
  readonly name: string;
  readonly transport: Transport;
  /** Every group of the cluster file, as `sdnode start --config` gives each node (read once, shared by the cluster's nodes). */
  readonly groups: ClusterGroups;
  /** Options of the global scope and of every group's scope (mode, replicas). */
  readonly scope: ScopeOptions;
  readonly logger?: CoreLogger;
}

/**
 * Start a node the way `sdnode start` builds one, without placement: core's Node on the given
 * transport with SGroupPolicy as its connection policy (free nodes: the classic transitive full
 * mesh; s_group nodes: their groups only), the registry with the global scope over the free
 * nodes, and SGroups with the cluster file's groups, each group a registry scope.
 */
export async function startSimNode(options: SimNodeOptions): Promise<SimNode> {
  const logger = options.logger ?? silentLogger();
  const policy = new SGroupPolicy();
  const node = await Node.start({
    name: options.name,
    cookie: 'sim',
    transport: options.transport,
    connectionPolicy: policy,
    types: [Holder],
    logger,
  });
  const registry = Registry.start(node, { global: { ...options.scope, membership: policy.freeMembership(node.hidden) }, logger });
  const sgroups = SGroups.start(node, { policy, registry, cluster: options.groups, scope: options.scope });
  return { node, policy, registry, sgroups };
}
