import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Node, SeedKeeper, defineProcess, isProcessType, type CoreLogger, type ProcessContext, type ProcessType, type RpcFunction } from '@sdnode/core';
import { findNode, loadClusterConfig, nodeStartOptions, type ClusterConfig } from '@sdnode/config';
import { Placement, type PlacementSpec } from '@sdnode/placement';
import { Registry } from '@sdnode/registry';
import { SGroupPolicy, SGroups } from '@sdnode/sgroups';
import { InvalidArgumentError, isPid, type Pid } from '@sdnode/wire';
import { harnessFunctions } from '../node-side/harness-functions.js';
import { observeFunctions } from '../node-side/observe-functions.js';
import { PartitionFilterPolicy } from '../node-side/partition-filter.js';
import { registryFunctions } from '../node-side/registry-functions.js';
import { sgroupRpcFunctions } from '../node-side/sgroup-functions.js';
import { killableTransport, type FrameCounts, type KillableTransport } from './killable-transport.js';
import type { WorkerNodeSpec } from './protocol.js';
import { DEFAULT_CARRIER, type CarrierName } from '@sdnode/transport';

/** The rpc functions a multi-mode node answers besides those of `sdnode start`. */
export const MultiFunctions = {
  /** `() => NodeFrames`: the node's transport counters and the frames it received by kind and control channel. */
  frames: 'sdnode.harness.frames',
  /** `() => WorkerProcessInfo`: the OS process the node runs in (shared with the other nodes of its worker). */
  process: 'sdnode.harness.process',
} as const;

/** What `sdnode.harness.frames` answers. */
export interface NodeFrames extends FrameCounts {
  /** The transport's own counters (`node.info().stats.transport`). */
  readonly transport: Record<string, number>;
  /** Connected visible nodes (`node.nodes({ all: true })`: visible and point to point). */
  readonly connections: number;
  /** The carrier the node's transport runs on. */
  readonly carrier: CarrierName;
}

/** What `sdnode.harness.process` answers. */
export interface WorkerProcessInfo {
  readonly pid: number;
  /** Nodes running in this process now. */
  readonly nodes: number;
  readonly memory: NodeJS.MemoryUsage;
}

/** What the services of a node are, as `sdnode start` hands them to a user module's `setup`. */
export interface WorkerNodeServices {
  readonly node: Node;
  readonly registry: Registry;
  readonly sgroups: SGroups;
  readonly placement: Placement | undefined;
}

interface UserModule {
  readonly types: ProcessType[];
  readonly functions: Record<string, RpcFunction>;
  readonly setup?: (services: WorkerNodeServices) => unknown;
}

/** `sdnode.echo`, as the CLI defines it: replies `{echo: payload}` to every `{from, payload}`. */
const EchoProcess = defineProcess('sdnode.echo', {
  init: () => 0,
  handle(ctx: ProcessContext, msg: unknown, count: number) {
    const m = msg as { from?: unknown; payload?: unknown } | null;
    if (typeof m === 'object' && m !== null && isPid(m.from) && 'payload' in m) ctx.send(m.from as Pid, { echo: m.payload });
    return count + 1;
  },
});

/** SGroupPolicy that says when this node's own groups changed (as the CLI's ReportingSGroupPolicy). */
class ReportingSGroupPolicy extends SGroupPolicy {
  onOwnGroupsChanged: ((group: string) => void) | null = null;

  override groupsChanged(change: Parameters<SGroupPolicy['groupsChanged']>[0]): void {
    super.groupsChanged(change);
    if (change.ownChanged) this.onOwnGroupsChanged?.(change.group);
  }
}

// Loaded once per worker (every node of a worker shares the module's definitions, as nodes in one
// process share code).
const modules = new Map<string, Promise<UserModule>>();
const configs = new Map<string, Promise<ClusterConfig>>();

async function importUserModule(path: string): Promise<UserModule> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidArgumentError('module', `cannot load ${path}: ${(error as Error).message}`);
  }
  const fallback = typeof mod['default'] === 'object' && mod['default'] !== null ? (mod['default'] as Record<string, unknown>) : {};
  const rawTypes = mod['types'] ?? fallback['types'] ?? [];
  const rawFunctions = mod['functions'] ?? fallback['functions'] ?? {};
  const rawApps = mod['applications'] ?? fallback['applications'] ?? [];
  const setup = mod['setup'] ?? fallback['setup'];
  const types = Array.isArray(rawTypes) ? rawTypes : typeof rawTypes === 'object' && rawTypes !== null ? Object.values(rawTypes) : null;
  if (types === null || !types.every(isProcessType)) throw new InvalidArgumentError('module', `${path}: "types" must be an array (or object) of defineProcess(...) results`);
  if (typeof rawFunctions !== 'object' || rawFunctions === null || !Object.values(rawFunctions).every((f) => typeof f === 'function')) {
    throw new InvalidArgumentError('module', `${path}: "functions" must map names to functions`);
  }
  if (setup !== undefined && typeof setup !== 'function') throw new InvalidArgumentError('module', `${path}: "setup" must be a function`);
  const apps = Array.isArray(rawApps) ? rawApps : typeof rawApps === 'object' && rawApps !== null ? Object.values(rawApps) : [];
  if (apps.length > 0) {
    throw new InvalidArgumentError('module', `${path} defines applications: the multi mode does not start applications (use the local mode, which runs \`sdnode start\`)`);
  }
  return {
    types: types as ProcessType[],
    functions: rawFunctions as Record<string, RpcFunction>,
    ...(setup !== undefined ? { setup: setup as (services: WorkerNodeServices) => unknown } : {}),
  };
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (p === undefined) {
    p = load();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}

/** An error as JSON (pino's shape: `{type, message}`). */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { type: v.name, message: v.message } : typeof v === 'bigint' ? v.toString() : v)),
  ) as unknown;
}

/** Writes a node's output: event lines and runtime log lines, as `sdnode start --json` prints them (pino's shape). */
export class NodeOutput {
  constructor(
    private readonly write: (line: string) => void,
    private readonly level: 'info' | 'warn',
  ) {}

  event(name: string, fields: Record<string, unknown> = {}): void {
    this.line(30, { event: name, ...(plain(fields) as Record<string, unknown>) });
  }

  private line(level: number, obj: Record<string, unknown>, msg?: string): void {
    let text: string;
    try {
      text = JSON.stringify({ level, time: Date.now(), ...obj, ...(msg !== undefined ? { msg } : {}) });
    } catch {
      text = JSON.stringify({ level, time: Date.now(), msg: msg ?? '(unprintable log record)' });
    }
    this.write(text);
  }

  logger(bindings: Record<string, unknown> = {}): CoreLogger {
    const at =
      (level: number) =>
      (obj: object, msg?: string): void =>
        this.line(level, { ...bindings, ...(plain(obj) as Record<string, unknown>) }, msg);
    const noop = (): void => undefined;
    return {
      debug: noop,
      info: this.level === 'info' ? at(30) : noop,
      warn: at(40),
      error: at(50),
      child: (b) => this.logger({ ...bindings, ...b }),
    };
  }
}

/** The cluster file's part of a node's settings (as `sdnode start --config FILE --node NAME` takes it). */
interface FileSettings {
  readonly seeds: Record<string, string>;
  readonly attributes?: Record<string, unknown>;
  readonly location?: Record<string, string>;
  readonly locationLevels?: readonly string[];
  readonly placement?: Record<string, unknown>;
  readonly registry?: Record<string, unknown>;
  readonly sgroups?: Readonly<Record<string, readonly string[]>>;
  readonly addresses?: Record<string, string>;
  /** The node's carrier in the cluster file (its own, or `zmq` in a cluster with curve). */
  readonly carrier?: CarrierName;
}

async function fileSettings(spec: WorkerNodeSpec): Promise<FileSettings> {
  if (spec.config === undefined) return { seeds: {} };
  const path = spec.config;
  const config = await cached(configs, path, () => loadClusterConfig(path));
  const node = findNode(config, spec.name);
  const fromFile = nodeStartOptions(config, node.name, { cookie: spec.cookie });
  if (config.applications.length > 0) {
    throw new InvalidArgumentError('config', `${path} declares distributed applications: the multi mode does not run them (use the local mode)`);
  }
  return {
    seeds: { ...fromFile.seeds },
    attributes: { ...node.attributes },
    location: { ...node.location },
    locationLevels: config.locationLevels,
    placement: { ...config.placement },
    registry: { ...config.registry },
    ...(fromFile.carrier !== undefined ? { carrier: fromFile.carrier } : {}),
    ...(config.sgroups !== undefined ? { sgroups: config.sgroups } : {}),
    addresses: Object.fromEntries(config.nodes.flatMap((n) => (n.advertise === null ? [] : [[n.name, n.advertise] as const]))),
  };
}

/**
 * One node of a multi-mode worker, built the way `sdnode start --json --fault-hooks` builds its
 * node (apps/sdnode/src/commands/start.ts): SGroupPolicy inside the harness's partition filter,
 * the global registry scope over the free nodes, s_groups (a cluster file's), placement on a
 * visible node, the harness, registry and s_group rpc functions, the user module's types,
 * functions and `setup`, seeds kept while the s_groups justify them. Its transport is a
 * KillableTransport on its own loopback address (a port from the OS), on the cluster file's carrier
 * for the node, else the harness's (the runtime's default, `net`, unless told `zmq`). Not run here: the CLI's
 * code-upgrade functions, applications, `--watch`.
 */
export class WorkerNode {
  private ended = false;

  private constructor(
    readonly node: Node,
    private readonly transport: KillableTransport,
    private readonly seeds: SeedKeeper,
    private readonly output: NodeOutput,
    private readonly onEnded: (status: string) => void,
  ) {}

  static async start(spec: WorkerNodeSpec, output: NodeOutput, onEnded: (status: string) => void, nodesInProcess: () => number): Promise<WorkerNode> {
    const user = spec.module === undefined ? { types: [], functions: {} } : await cached(modules, spec.module, () => importUserModule(spec.module!));
    const file = await fileSettings(spec);
    const logger = output.logger();
    const policy = new ReportingSGroupPolicy();
    const filter = new PartitionFilterPolicy(policy);
    const transport = killableTransport(file.carrier ?? spec.carrier ?? DEFAULT_CARRIER, {
      name: spec.name,
      cookie: spec.cookie,
      listen: spec.listen,
      hidden: spec.hidden,
      netTickTime: spec.netTickTime,
      accept: filter.accept.bind(filter),
      logger: logger.child({ component: 'transport' }),
    });
    let node: Node;
    try {
      node = await Node.start({
        name: spec.name,
        cookie: spec.cookie,
        hidden: spec.hidden,
        netTickTime: spec.netTickTime,
        transport,
        types: [EchoProcess, ...user.types],
        functions: user.functions,
        connectionPolicy: filter,
        logger,
      });
    } catch (error) {
      await transport.close();
      throw error;
    }
    try {
      const registry = Registry.start(node, { global: spec.hidden ? false : { ...(file.registry ?? {}), membership: policy.freeMembership(false) } });
      let sgroups: SGroups | undefined;
      policy.onOwnGroupsChanged = (group) => {
        if (sgroups !== undefined) output.event('sgroups', { ...sgroupsEvent(sgroups), changed: group });
      };
      sgroups = SGroups.start(node, {
        policy,
        registry,
        ...(file.sgroups !== undefined ? { groups: file.sgroups } : {}),
        ...(file.addresses !== undefined ? { addresses: file.addresses } : {}),
      });
      const placement =
        spec.hidden || !spec.placement
          ? undefined
          : Placement.start(node, {
              ...(file.attributes !== undefined ? { attributes: file.attributes as never } : {}),
              ...(file.location !== undefined ? { location: file.location } : {}),
              ...(file.locationLevels !== undefined ? { locationLevels: file.locationLevels } : {}),
              policies: { ...(file.placement ?? {}) } as Record<string, PlacementSpec>,
              sgroups,
            });
      const functions: Record<string, RpcFunction> = {
        ...harnessFunctions(node, filter, registry, sgroups, node, placement),
        ...observeFunctions(node, { registry, sgroups, addresses: () => policy.addresses(node.address) }),
        ...registryFunctions(registry),
        ...sgroupRpcFunctions(sgroups),
        [MultiFunctions.frames]: (): NodeFrames => ({
          ...transport.frameCounts(),
          transport: { ...(transport.stats() as unknown as Record<string, number>) },
          connections: node.nodes({ all: true }).length,
          carrier: transport.carrierName,
        }),
        [MultiFunctions.process]: (): WorkerProcessInfo => ({ pid: process.pid, nodes: nodesInProcess(), memory: process.memoryUsage() }),
      };
      for (const [fn, impl] of Object.entries(functions)) node.registerFunction(fn, impl);
      await user.setup?.({ node, registry, sgroups, placement });

      output.event('listening', { name: node.name, address: node.address, creation: node.creation, hidden: spec.hidden, pid: process.pid });
      if (sgroups.ownGroups().length > 0) output.event('sgroups', { ...sgroupsEvent(sgroups) });
      node.on('nodeup', (peer: string, info) => output.event('nodeup', { node: peer, hidden: info.hidden }));
      node.on('nodedown', (peer: string, info) => output.event('nodedown', { node: peer, hidden: info.hidden, ...reasonOf(info) }));

      const seedAddresses = { ...file.seeds, ...spec.seeds };
      const seedNames = Object.keys(seedAddresses);
      const explicit = new Set(Object.keys(spec.seeds));
      const groups = policy;
      const justified = (seed: string): boolean => {
        if (node.hidden) return true;
        const t = groups.table;
        return t.share(t.self, seed) || (!t.inSomeGroup(t.self) && !t.inSomeGroup(seed));
      };
      if (!node.hidden) policy.manage(seedNames);
      const seeds = new SeedKeeper(node, seedNames, {
        addresses: seedAddresses,
        wanted: (seed, met) => justified(seed) || (explicit.has(seed) && !met),
        onAttemptFailed: (seed, error) => output.event('connect_failed', { node: seed, error: error.message }),
      });
      seeds.start();
      const self = new WorkerNode(node, transport, seeds, output, onEnded);
      node.on('stopping', ({ reason }) => {
        if (reason === null || self.ended) return;
        // Something in the node took it down (not the harness): its incarnation ends.
        self.ended = true;
        output.event('node_stopping', { reason });
        self.seeds.stop();
        void node.stop().then(() => onEnded(`stopped itself: ${reason}`));
      });
      return self;
    } catch (error) {
      await transport.kill();
      await node.stop();
      throw error;
    }
  }

  /** As SIGKILL: the connections drop without a word, then the node is discarded. */
  async kill(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.seeds.stop();
    await this.transport.kill();
    await this.node.stop({});
    this.onEnded('killed by the harness (connections dropped without a word, as by SIGKILL)');
  }

  /** As SIGTERM: `node.stop()`, its processes exit `shutdown`, its connections close. */
  async stop(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.output.event('stopping', { signal: 'stop' });
    this.seeds.stop();
    await this.node.stop();
    this.output.event('stopped', { name: this.node.name });
    this.onEnded('stopped');
  }
}

function sgroupsEvent(sgroups: SGroups): { kind: string; groups: Record<string, readonly string[]> } {
  const groups: Record<string, readonly string[]> = {};
  for (const g of sgroups.ownGroups()) groups[g.name] = g.members;
  return { kind: sgroups.kind, groups };
}

function reasonOf(info: unknown): Record<string, unknown> {
  if (typeof info === 'object' && info !== null && 'reason' in info) {
    const reason = (info as { reason: unknown }).reason;
    return { reason: typeof reason === 'object' && reason !== null && 'kind' in reason ? (reason as { kind: unknown }).kind : reason };
  }
  return {};
}
