import { FaultInjectionError } from '@sdnode/wire';
import type { ClusterBackend, DriverEndpoint, NodeInstance, PartitionDriver, ResolvedNode, StartRequest } from '../backend.js';
import { healByRpc, partitionByRpc } from '../rpc-partition.js';
import { findCli } from './cli-path.js';
import { LocalProcess } from './local-process.js';
import { hasLoopbackRange, loopbackAddress } from './loopback.js';

export interface LocalBackendOptions {
  /** The sdnode CLI (default: found next to this package, or `$SDNODE_CLI`). */
  readonly cli?: string;
  /** Flags for Node.js itself in every node process, e.g. `['--import', 'tsx']` for a TypeScript module. */
  readonly nodeArgs?: readonly string[];
  /** Give each node its own 127.0.0.x address (default: on Linux); otherwise all use 127.0.0.1. */
  readonly distinctAddresses?: boolean;
}

export interface LocalBackendContext {
  readonly cookie: string;
  readonly netTickTime: number;
  readonly module: string | undefined;
  /** A cluster configuration file the nodes start from (`--config FILE --node NAME`). */
  readonly config?: string | undefined;
}

/** How `sdnode start` is told which node to be: by name, or as a node of the cluster file. */
export function nodeIdentityArgs(context: LocalBackendContext, name: string, configPath: string | undefined = context.config): string[] {
  return configPath === undefined ? ['--name', name] : ['--config', configPath, '--node', name];
}

/**
 * Local mode: every node is `sdnode start` in its own Node.js process on its own loopback
 * address, with a port from the OS (kept across restarts, so that other nodes find a restarted
 * node where it was). Faults are signals (SIGKILL, SIGTERM, SIGSTOP/SIGCONT); a partition is
 * each node's PartitionFilterPolicy, set through rpc (see partition-filter.ts for what that
 * does not cover).
 */
export class LocalBackend implements ClusterBackend {
  readonly mode = 'local' as const;
  private readonly cli: string;
  private readonly distinct: boolean;

  constructor(
    private readonly context: LocalBackendContext,
    private readonly options: LocalBackendOptions = {},
  ) {
    this.cli = findCli(options.cli);
    this.distinct = options.distinctAddresses ?? hasLoopbackRange();
  }

  driverEndpoint(): DriverEndpoint {
    return { listen: 'tcp://127.0.0.1:0' };
  }

  hostFor(_shortName: string, index: number): string {
    return this.distinct ? loopbackAddress(index) : '127.0.0.1';
  }

  plannedAddress(): string | undefined {
    return undefined; // ports come from the OS when the node binds
  }

  start(request: StartRequest): Promise<NodeInstance> {
    const { node } = request;
    const listen = request.previous?.advertisedAddress ?? node.listen ?? `tcp://${node.host}:0`;
    const args = [
      'start',
      ...nodeIdentityArgs(this.context, node.name),
      '--listen', listen,
      '--json',
      '--fault-hooks',
      '--stdin-lifeline',
      '--tick', `${this.context.netTickTime}ms`,
      ...(node.hidden ? ['--hidden'] : []),
      ...(this.context.module !== undefined ? ['--module', this.context.module] : []),
      ...Object.entries(request.seedAddresses).flatMap(([name, address]) => ['--seed', `${name}=${address}`]),
      ...node.args,
    ];
    return LocalProcess.start({
      cli: this.cli,
      nodeArgs: this.options.nodeArgs ?? [],
      args,
      env: { SDNODE_COOKIE: this.context.cookie },
      label: node.name,
      log: request.log,
      timeoutMs: request.timeoutMs,
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
    });
  }

  partition(sides: readonly (readonly ResolvedNode[])[], driver: PartitionDriver): Promise<void> {
    return partitionByRpc(sides, driver, 'partition the local cluster');
  }

  heal(nodes: readonly ResolvedNode[], driver: PartitionDriver): Promise<void> {
    return healByRpc(nodes, driver, 'heal the local cluster');
  }


  close(): Promise<void> {
    return Promise.resolve();
  }
}
