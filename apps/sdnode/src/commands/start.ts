import { Node, SeedKeeper } from '@sdnode/core';
import type { SGroups } from '@sdnode/sgroups';
import { PartitionFilterPolicy, harnessFunctions, observeFunctions, registryFunctions, sgroupRpcFunctions } from '@sdnode/harness';
import { Registry } from '@sdnode/registry';
import { codeFunctions } from '@sdnode/otp';
import { Placement, type PlacementSpec } from '@sdnode/placement';
import { parseMetricsAddress, startMetricsServer, type MetricsServer } from '@sdnode/metrics';
import { createEventLog } from '../event-log.js';
import { builtinTypes, watchPeer } from '../builtin-types.js';
import { resolveStartOptions, type StartOptionFlags, type StartOptions } from './start-options.js';
import { loadUserModule } from '../user-module.js';
import { checkDistributedApplications, startApplications } from './start-applications.js';
import { ReportingSGroupPolicy, seedJustified, sgroupsEvent, startNodeSGroups } from './start-sgroups.js';

/** All flags of `sdnode start`: which node (StartOptionFlags) and how this process runs it. */
export interface StartFlags extends StartOptionFlags {
  connect: string[];
  json: boolean;
  watch: boolean;
  logLevel?: string;
  module?: string;
  faultHooks: boolean;
  stdinLifeline: boolean;
  /** `--metrics HOST:PORT`: serve the node's Prometheus metrics at http://HOST:PORT/metrics (port 0: from the OS). */
  metrics?: string;
}

/**
 * Placement on a visible node (a hidden one runs none: it is in nobody's view and chooses for
 * nobody): its static attributes and location, the cluster's location levels and named policies
 * (the file's `placement` section: each policy is a PlacementSpec without pid targets), and its
 * s_groups for the group constraint and the visibility scope.
 */
export function startPlacement(
  node: Node,
  options: Pick<StartOptions, 'attributes' | 'location' | 'locationLevels' | 'placement'>,
  sgroups: SGroups,
): Placement | undefined {
  if (node.hidden) return undefined;
  const policies: Record<string, PlacementSpec> = { ...options.placement };
  return Placement.start(node, {
    ...(options.attributes !== undefined ? { attributes: options.attributes } : {}),
    ...(options.location !== undefined ? { location: options.location } : {}),
    ...(options.locationLevels !== undefined ? { locationLevels: options.locationLevels } : {}),
    policies,
    sgroups,
  });
}

/**
 * `sdnode start`: run a node in the foreground until SIGINT/SIGTERM. Prints one line when it
 * listens (name and address), one with its s_groups when it is in any (and whenever they change),
 * then one per nodeup/nodedown (and per watch event with --watch). Connections follow s_groups
 * (SGroupPolicy): the members of the node's groups (the cluster file's, then as changed with
 * `sdnode sgroup`), or, for a node in no group, the other free nodes (the classic full mesh).
 * Runs placement on a visible node (startPlacement). Calls the user module's `setup` with the
 * node's services, then starts its applications: the distributed ones of the cluster file (--config)
 * through the distributed application controller, the others here. Resolves with the exit code:
 * 0 after a signal, 1 when something took the node down (a permanent application that exited).
 */
export async function startCommand(flags: StartFlags): Promise<number> {
  // From the flags, or from a cluster file (--config FILE --node NAME) with the flags overriding it.
  const {
    attributes,
    location,
    locationLevels,
    placement: policies,
    applications: distributed = [],
    registry: registrySettings,
    sgroups: groups,
    addresses,
    seeds: seedAddresses,
    ...options
  } = await resolveStartOptions(flags);
  const metricsAt = flags.metrics === undefined ? undefined : parseMetricsAddress(flags.metrics, '--metrics');
  const log = createEventLog({ json: flags.json, ...(flags.logLevel ? { level: flags.logLevel } : {}) });
  const user = flags.module === undefined ? { types: [], functions: {}, applications: [] } : await loadUserModule(flags.module);
  checkDistributedApplications(options.name, distributed, user.applications);
  // s_groups decide the connections; --fault-hooks: the test harness may also cut this node off
  // from others (local-mode partitions).
  const policy = new ReportingSGroupPolicy();
  const filter = flags.faultHooks ? new PartitionFilterPolicy(policy) : undefined;

  // Seeds are connected by the SeedKeeper below, once the node knows its s_groups.
  const node = await Node.start({
    ...options,
    types: [...builtinTypes, ...user.types],
    functions: user.functions,
    connectionPolicy: filter ?? policy,
    logger: log.logger,
  });
  // The global name scope (free visible nodes), with the cluster file's registry settings.
  // The global name scope: the free visible nodes only (an s_group node uses its groups' scopes).
  const registry = Registry.start(node, { global: options.hidden ? false : { ...(registrySettings ?? {}), membership: policy.freeMembership(false) } });
  // The file's groups (none without a file: the node starts free); a scope per own group.
  const sgroups = startNodeSGroups(node, policy, registry, {
    ...(groups !== undefined ? { groups } : {}),
    ...(addresses !== undefined ? { addresses } : {}),
    onChange: (event) => log.event('sgroups', { ...event }),
  });
  // Implicit process placement (its rpc functions: sdnode.placement.*), on a visible node only.
  const placement = startPlacement(node, { attributes, location, locationLevels, placement: policies }, sgroups);
  // --fault-hooks: the harness may also delay what this node sends (`sdnode.harness.delay`).
  for (const [fn, impl] of Object.entries(harnessFunctions(node, filter, registry, sgroups, flags.faultHooks ? node : undefined, placement))) node.registerFunction(fn, impl);
  for (const [fn, impl] of Object.entries(observeFunctions(node, { registry, sgroups, addresses: () => policy.addresses(node.address) }))) node.registerFunction(fn, impl);
  for (const [fn, impl] of Object.entries(registryFunctions(registry))) node.registerFunction(fn, impl);
  for (const [fn, impl] of Object.entries(sgroupRpcFunctions(sgroups))) node.registerFunction(fn, impl);
  for (const [fn, impl] of Object.entries(codeFunctions(node))) node.registerFunction(fn, impl);
  // The user module's setup, before the node says it listens: what it registers is there for the first caller.
  try {
    await user.setup?.({ node, registry, sgroups, placement });
  } catch (error) {
    await node.stop();
    throw new Error(`--module ${flags.module}: setup failed: ${(error as Error).message}`, { cause: error });
  }
  // --metrics: the node's Prometheus metrics (and the process's), until the node stops.
  let metrics: MetricsServer | undefined;
  if (metricsAt !== undefined) {
    try {
      metrics = await startMetricsServer(node, { ...metricsAt, registry, sgroups, ...(placement !== undefined ? { placement } : {}), processMetrics: true });
    } catch (error) {
      await node.stop();
      throw error;
    }
  }
  // Something else than a signal may take the node down (a permanent application exiting).
  let failure: string | null = null;
  const takenDown = new Promise<void>((resolve) =>
    node.on('stopping', ({ reason }) => {
      if (reason === null) return;
      failure = reason;
      log.event('node_stopping', { reason });
      resolve();
    }),
  );
  log.event('listening', {
    name: node.name,
    address: node.address,
    creation: node.creation,
    hidden: options.hidden,
    pid: process.pid,
    ...(attributes ? { attributes, location } : {}),
  });
  if (metrics !== undefined) log.event('metrics', { url: metrics.url, host: metrics.host, port: metrics.port });
  if (sgroups.ownGroups().length > 0) log.event('sgroups', { ...sgroupsEvent(sgroups) });

  node.on('nodeup', (peer: string, info) => {
    log.event('nodeup', { node: peer, hidden: info.hidden });
    if (flags.watch && !info.hidden) {
      node.spawnFn(async (ctx) => {
        try {
          await watchPeer(ctx, peer, log);
        } catch (error) {
          log.event('watch_failed', { node: peer, error: (error as Error).message });
        }
      });
    }
  });
  node.on('nodedown', (peer: string, info) => log.event('nodedown', { node: peer, hidden: info.hidden, ...describe(info) }));

  // With s_groups, a seed is kept while they justify the connection (a member of the node's
  // groups, or free like it): the file's seeds only then; a seed given by flag also until it
  // was met once (the way into the cluster). The policy closes seed connections no group
  // justifies (not those of a hidden node: it keeps its seeds, as a tool).
  const explicit = new Set([...flags.connect, ...Object.keys(flags.seed)]);
  const justified = seedJustified(node, policy);
  const seedNames = [...new Set([...flags.connect, ...Object.keys(seedAddresses)])];
  if (!node.hidden) policy.manage(seedNames);
  const seeds = new SeedKeeper(node, seedNames, {
    addresses: seedAddresses,
    wanted: (seed, met) => justified(seed) || (explicit.has(seed) && !met),
    onAttemptFailed: (seed, error) => log.event('connect_failed', { node: seed, error: error.message }),
  });
  seeds.start();
  await startApplications(node, user.applications, distributed, log);

  await new Promise<void>((resolve) => {
    void takenDown.then(resolve);
    const stop = (signal: string) => {
      log.event('stopping', { signal });
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    if (flags.stdinLifeline) {
      // The process that started this node holds the other end: when it dies, so does this node.
      process.stdin.once('end', () => stop('stdin closed'));
      process.stdin.resume();
    }
  });
  if (flags.stdinLifeline) process.stdin.destroy(); // lets the process exit
  seeds.stop();
  await node.stop();
  log.event('stopped', { name: node.name, ...(failure !== null ? { reason: failure } : {}) });
  return failure === null ? 0 : 1;
}

function describe(info: unknown): Record<string, unknown> {
  if (typeof info === 'object' && info !== null && 'reason' in info) {
    const reason = (info as { reason: unknown }).reason;
    return { reason: typeof reason === 'object' && reason !== null && 'kind' in reason ? (reason as { kind: unknown }).kind : reason };
  }
  return {};
}
