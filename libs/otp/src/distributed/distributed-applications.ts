import type { CallOptions, Node, RpcFunction } from '@sdnode/core';
import { UnknownApplicationError, type Pid } from '@sdnode/wire';
import { Application } from '../application/application.js';
import { callFrom, type Caller } from '../common/caller.js';
import { startProcess } from '../common/start.js';
import { DIST_APP_CONTROLLER, DistAppControllerType } from './dist-app-controller.js';
import type { DistAppSpec, MachineSnapshot } from './dist-app-types.js';

export interface DistControllerOptions {
  /** The cluster's distributed applications (the `applications` section of the cluster configuration). */
  readonly applications: readonly DistAppSpec[];
  /** Budget of the node's shutdown hook that hands the applications over (default 120000 ms). */
  readonly shutdownTimeout?: number;
  /**
   * At shutdown, once its instances stopped, how long the node waits for the other candidates to
   * acknowledge that it gave its applications up (default 2000 ms). Acknowledged, they start them
   * at once; otherwise they learn it from nodedown and wait for the failover timeout.
   */
  readonly handoverTimeout?: number;
}

/**
 * Distributed applications (Erlang's `distributed` kernel parameter and dist_ac): an application
 * declared as `{ name, failoverTimeout, nodes: [n1, [n2, n3]] }` runs on one candidate node at a
 * time; it fails over to the next candidates when its node dies, and the better node takes it
 * back when it returns. See docs/protocols/distributed-applications.md.
 */
export const DistributedApplications = {
  /**
   * Start the node's distributed application controller (registered as `dist_app_controller`).
   * The application controller must run, with every distributed application this node is a
   * candidate for defined (UnknownApplicationError otherwise). When the node stops, the controller
   * stops those applications first and tells the other candidates, which take them over at once.
   * Registers the rpc built-in `sdnode.dist_apps.info`.
   */
  async startController(node: Node, options: DistControllerOptions): Promise<Pid> {
    const loaded = new Set((await Application.loaded(node)).map((a) => a.name));
    for (const spec of options.applications) {
      if (spec.nodes.some((level) => level.includes(node.name)) && !loaded.has(spec.name)) throw new UnknownApplicationError(spec.name, node.name);
    }
    const pid = await startProcess(node, DistAppControllerType, [{ applications: options.applications, handoverTimeout: options.handoverTimeout ?? 2000 }], {
      name: DIST_APP_CONTROLLER,
    });
    const budget = options.shutdownTimeout ?? 120_000;
    node.addShutdownHook('dist_app_controller', () => node.call(DIST_APP_CONTROLLER, { op: 'shutdown', args: [] }, { timeout: budget }), { timeout: budget });
    for (const [fn, impl] of Object.entries(distAppFunctions(node))) node.registerFunction(fn, impl);
    return pid;
  },

  /** This node's view of each of its distributed applications: its phase, its peers, who holds an instance. */
  info(caller: Caller, options?: CallOptions): Promise<MachineSnapshot[]> {
    return callFrom<MachineSnapshot[]>(caller, DIST_APP_CONTROLLER, { op: 'info', args: [] }, options);
  },
} as const;

/** The rpc built-ins of a node's distributed application controller. */
export function distAppFunctions(node: Node): Record<string, RpcFunction> {
  return { 'sdnode.dist_apps.info': () => DistributedApplications.info(node) };
}
