import { randomBytes } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import type { Node, ProcessContext } from '@sdnode/core';
import { FaultInjectionError, InvalidArgumentError, NodeExitedError, isPid, type Pid } from '@sdnode/wire';
import type { ClusterBackend, NodeInstance, ResolvedNode } from './backend.js';
import { ClusterNode, shouldSee } from './cluster-node.js';
import { resolveNodes, startWaves, type ClusterMode, type ClusterOptions, type NodeSpec } from './cluster-options.js';
import { startDriver } from './driver-node.js';
import { LocalBackend } from './local/local-backend.js';
import { MultiBackend } from './multi/multi-backend.js';
import { NodeLog, type NodeEvent } from './logs/node-log.js';
import { HarnessFunctions, type NodeState, type ProcessSummary } from './node-side/harness-functions.js';
import { clusterReport } from './state-report.js';
import { waitUntil, type Condition, type Satisfied, type WaitUntilOptions } from './wait-until.js';

/** Deadline of one driver operation (rpc, spawn, call). */
export interface DriveOptions {
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface SpawnOptions extends DriveOptions {
  /** Register the new process under this name on its node. */
  readonly name?: string;
}

/** A destination for send and call: a pid, or a name registered on a node. */
export type Target = Pid | { readonly name: string; readonly node: string };

/**
 * A cluster of sdnode nodes for tests: local OS processes on loopback, or containers on a
 * user-defined network; the test process joins as a hidden driver node that runs rpc, spawns and
 * calls there; faults (kill, stop, freeze/thaw, restart, partition/heal, delay); waits with deadlines
 * that print every node's state when they fail; every node's log.
 */
export class Cluster {
  private readonly members: ClusterNode[] = [];
  private sides: string[][] | null = null;
  /** The delays in force (ms), by node name: applied again when the node restarts. */
  private readonly delays = new Map<string, number>();
  private closed: Promise<void> | null = null;
  /** Whether a state report was printed (the vitest helper then does not print another). */
  reported = false;

  private constructor(
    readonly mode: ClusterMode,
    readonly cookie: string,
    readonly driver: Node,
    readonly driverLog: NodeLog,
    private readonly backend: ClusterBackend,
    private readonly options: ClusterOptions,
  ) {}

  /** Start the nodes (and, by default, wait until the visible ones form a full mesh: see waitForMesh). */
  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const envMode = process.env['SDNODE_HARNESS_MODE'];
    const mode = options.mode ?? (envMode === 'containers' || envMode === 'multi' ? envMode : 'local');
    const cookie = options.cookie ?? randomBytes(12).toString('hex');
    const netTickTime = options.netTickTime ?? 10_000;
    const module = options.module === undefined ? undefined : isAbsolute(options.module) ? options.module : resolve(options.module);
    const config = options.config === undefined ? undefined : isAbsolute(options.config) ? options.config : resolve(options.config);
    const context = { cookie, netTickTime, module, config };
    const backend: ClusterBackend =
      mode === 'local'
        ? new LocalBackend(context, options.local)
        : mode === 'multi'
          ? new MultiBackend(context, options.multi)
          : await (await import('./containers/container-backend.js')).ContainerBackend.create(context, options.containers ?? {});
    const driverLog = new NodeLog('driver', options.logDir === undefined ? {} : { file: join(options.logDir, 'driver.log') });
    let driver: Node;
    try {
      driver = await startDriver(cookie, backend.driverEndpoint(), driverLog, netTickTime);
    } catch (error) {
      await backend.close();
      throw error;
    }
    const cluster = new Cluster(mode, cookie, driver, driverLog, backend, options);
    try {
      await cluster.add(resolveNodes(options, (s, i) => backend.hostFor(s, i)));
      if (options.waitForMesh !== false) await cluster.waitForMesh();
    } catch (error) {
      await cluster.printReport(`starting the cluster failed: ${(error as Error).message}`);
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  private get timeout(): number {
    return this.options.timeout ?? 30_000;
  }

  // ---- nodes ----

  /** A node by full (`n1@127.0.0.2`) or short (`n1`) name. */
  node(name: string | ClusterNode): ClusterNode {
    if (name instanceof ClusterNode) return name;
    const found = this.members.find((m) => m.name === name || m.shortName === name);
    if (found === undefined) throw new InvalidArgumentError('node', `${name} is not a node of this cluster (have: ${this.names().join(', ')})`);
    return found;
  }

  get nodes(): readonly ClusterNode[] {
    return this.members;
  }

  /** Full names of every node, in start order. */
  names(): string[] {
    return this.members.map((m) => m.name);
  }

  /** Start more nodes (specs as in ClusterOptions.nodes); resolves when each has started. */
  async startNodes(specs: readonly (string | NodeSpec)[]): Promise<ClusterNode[]> {
    const offset = this.members.length;
    const list = specs.map((s) => (typeof s === 'string' ? { name: s } : s));
    const resolved = resolveNodes({ ...this.options, nodes: list, seeds: 'none' }, (s, i) => this.backend.hostFor(s, offset + i), this.names());
    return this.add(resolved.map((n, i) => (list[i]!.seeds !== undefined ? n : { ...n, seeds: this.defaultSeeds(n) })));
  }

  private defaultSeeds(n: ResolvedNode): string[] {
    if (this.options.seeds === 'none') return [];
    const first = this.members.find((m) => !m.hidden);
    return first === undefined || first.name === n.name ? [] : [first.name];
  }

  private async add(nodes: readonly ResolvedNode[]): Promise<ClusterNode[]> {
    for (const n of nodes) {
      if (this.members.some((m) => m.name === n.name || m.shortName === n.shortName)) throw new InvalidArgumentError('nodes', `${n.name} is already in the cluster`);
    }
    const added = nodes.map((n) => {
      const file = this.options.logDir === undefined ? {} : { file: join(this.options.logDir, `${n.name}.log`) };
      const member = new ClusterNode(this, n, new NodeLog(n.name, file));
      this.members.push(member);
      return member;
    });
    // Seeds first: a node's seed then listens (and, in containers, its alias resolves) when it starts.
    const waves = startWaves(nodes, new Set(this.members.filter((m) => m.lastInstance !== undefined).map((m) => m.name)));
    for (const wave of waves) await Promise.all(wave.map((n) => this.launch(this.node(n.name))));
    return added;
  }

  /** Start an incarnation of `member`; a restart keeps the previous instance's address. */
  private async launch(member: ClusterNode, previous?: NodeInstance): Promise<void> {
    member.status = 'starting';
    const seedAddresses: Record<string, string> = {};
    for (const seed of this.seedsAtLaunch(member)) {
      const s = this.node(seed);
      const address = this.backend.plannedAddress(s.spec) ?? s.lastInstance?.advertisedAddress;
      if (address !== undefined) seedAddresses[seed] = address;
    }
    try {
      member.attach(
        await this.backend.start({
          node: member.spec,
          seedAddresses,
          log: member.log,
          timeoutMs: this.timeout,
          ...(previous !== undefined ? { previous } : {}),
          ...(this.options.signal !== undefined ? { signal: this.options.signal } : {}),
        }),
      );
    } catch (error) {
      member.status = 'exited';
      throw error;
    }
  }

  /**
   * The node's seeds, and when none of them runs (a node restarted while its seeds are down), also
   * the first running visible node: a node finds the cluster through any running node, as one
   * deployed from a cluster file (where every node seeds the others) does. The seeds that are down
   * stay: the node's SeedKeeper meets them when they come back.
   */
  private seedsAtLaunch(member: ClusterNode): string[] {
    const seeds = member.spec.seeds;
    if (seeds.length === 0 || seeds.some((s) => this.node(s).status === 'running')) return [...seeds];
    const other = this.members.find((m) => m !== member && !m.hidden && m.status === 'running');
    return other === undefined ? [...seeds] : [...seeds, other.name];
  }

  // ---- driving nodes ----

  private async connected(name: string, options: DriveOptions): Promise<string> {
    const member = this.node(name);
    const instance = member.instance;
    if (instance === undefined) throw new NodeExitedError(member.name, `${member.status}: not running`);
    if (!this.driver.nodes({ hidden: true }).includes(member.name)) {
      await this.driver.connect(member.name, { address: instance.dialAddress, timeout: options.timeout ?? this.timeout, ...signalOf(options) });
    }
    return member.name;
  }

  /** Call the rpc function `fn` on a node and resolve with its result. */
  async rpc<T = unknown>(node: string, fn: string, args: readonly unknown[] = [], options: DriveOptions = {}): Promise<T> {
    const name = await this.connected(node, options);
    return this.driver.rpc<T>(name, fn, args, { timeout: options.timeout ?? this.timeout, ...signalOf(options) });
  }

  /** Spawn a process of a type defined on that node (your module's types, or built-ins). */
  async spawn(node: string, type: string, args: readonly unknown[] = [], options: SpawnOptions = {}): Promise<Pid> {
    const name = await this.connected(node, options);
    return this.driver.spawnRemote(name, type, args, {
      timeout: options.timeout ?? this.timeout,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...signalOf(options),
    });
  }

  /** The OTP call pattern, from a temporary process on the driver. */
  async call<T = unknown>(to: Target, request: unknown, options: DriveOptions = {}): Promise<T> {
    await this.connected(isPid(to) ? to.node : to.node, options);
    return this.driver.call<T>(to, request, { timeout: options.timeout ?? this.timeout, ...signalOf(options) });
  }

  /** Send a message from the driver. */
  async send(to: Target, msg: unknown, options: DriveOptions = {}): Promise<void> {
    await this.connected(isPid(to) ? to.node : to.node, options);
    this.driver.send(to, msg);
  }

  /**
   * Run `fn` as a process on the driver (monitor, link, receive...), connected first to every
   * running node; resolves with its result.
   */
  async run<T>(fn: (ctx: ProcessContext) => T | Promise<T>, options: DriveOptions = {}): Promise<T> {
    await Promise.all(this.members.filter((m) => m.status === 'running').map((m) => this.connected(m.name, options)));
    return this.driver.run(fn, { timeout: options.timeout ?? this.timeout, ...signalOf(options) });
  }

  /** The node's own view: connected nodes, processes, registered names. */
  state(node: string, options: DriveOptions = {}): Promise<NodeState> {
    return this.rpc<NodeState>(node, HarnessFunctions.state, [], options);
  }

  /** Visible nodes a node is connected to (its own view, through rpc). */
  async connectedNodes(node: string, options: DriveOptions & { hidden?: boolean } = {}): Promise<string[]> {
    const s = await this.state(node, options);
    return options.hidden === true ? [...s.nodes, ...s.hiddenNodes] : s.nodes;
  }

  processes(node: string, options: DriveOptions = {}): Promise<ProcessSummary[]> {
    return this.rpc<ProcessSummary[]>(node, HarnessFunctions.processes, [], options);
  }

  registered(node: string, options: DriveOptions = {}): Promise<Record<string, Pid>> {
    return this.rpc<Record<string, Pid>>(node, HarnessFunctions.registered, [], options);
  }

  // ---- waiting ----

  /**
   * Wait until `condition` answers a truthy value (see waitUntil); when the deadline passes,
   * print every node's state, then reject with the TimeoutError.
   */
  async waitUntil<T>(condition: Condition<T>, options: WaitUntilOptions = {}): Promise<Satisfied<T>> {
    try {
      return await waitUntil(condition, { timeout: this.timeout, ...options });
    } catch (error) {
      await this.printReport((error as Error).message);
      throw error;
    }
  }

  /**
   * Wait until every running visible node (or those given) is connected to every other one it
   * should see, as their nodeup/nodedown events tell: without s_groups, a full mesh; with them,
   * each node to the members of its s_groups (its `sgroups` lines) and free nodes to each other.
   */
  waitForMesh(options: WaitUntilOptions & { nodes?: readonly string[] } = {}): Promise<true> {
    const pick = () => (options.nodes?.map((n) => this.node(n)) ?? this.members).filter((m) => !m.hidden && m.status === 'running');
    return this.waitUntil(
      () => {
        const nodes = pick();
        const groups = new Map(nodes.map((m) => [m, m.sgroups()] as const));
        return nodes.every((m) => {
          const peers = new Set(m.connected());
          return nodes.every((o) => o === m || peers.has(o.name) || !shouldSee(groups.get(m)!, o.name, groups.get(o)!));
        });
      },
      { what: `a full mesh of ${pick().map((m) => m.shortName).join(', ')}${pick().some((m) => Object.keys(m.sgroups()).length > 0) ? ' (per s_group, and of the free nodes)' : ''}`, ...options },
    );
  }

  /** Wait for a node to log an event `{event, ...fields}` (fields compared with ===). */
  async waitForEvent(node: string, event: string, fields: Record<string, unknown> = {}, options: { timeout?: number; since?: number } = {}): Promise<NodeEvent> {
    const member = this.node(node);
    const what = `event ${JSON.stringify({ event, ...fields })}`;
    try {
      return await member.log.waitFor((e) => e.event === event && Object.entries(fields).every(([k, v]) => e[k] === v), what, {
        timeout: options.timeout ?? this.timeout,
        ...(options.since !== undefined ? { since: options.since } : {}),
      });
    } catch (error) {
      await this.printReport(`${member.name}: waiting for ${what} failed`);
      throw error;
    }
  }

  // ---- faults ----

  /** SIGKILL / container kill: the node dies without a word. */
  async kill(node: string): Promise<void> {
    const m = this.node(node);
    const instance = m.instance;
    m.status = 'killed';
    await instance?.kill(this.timeout);
  }

  /** Graceful stop (SIGTERM / container stop): the node closes its connections. */
  async stop(node: string): Promise<void> {
    const m = this.node(node);
    const instance = m.instance;
    m.status = 'stopped';
    await instance?.stop(5_000);
  }

  /** SIGSTOP / container pause: nothing runs, sockets stay open; peers notice after the tick time. */
  async freeze(node: string): Promise<void> {
    const m = this.node(node);
    if (m.instance === undefined) throw new NodeExitedError(m.name, `${m.status}: cannot freeze it`);
    await m.instance.freeze();
    m.status = 'frozen';
  }

  async thaw(node: string): Promise<void> {
    const m = this.node(node);
    if (m.instance === undefined || m.status !== 'frozen') return;
    await m.instance.thaw();
    m.status = 'running';
  }

  /**
   * Kill the node if it runs, and start it again under the same name and address: a new
   * creation, so pids of the old incarnation are dead. A partition or a delay in force applies
   * to it again.
   */
  async restart(node: string): Promise<void> {
    const m = this.node(node);
    const previous = m.lastInstance;
    if (m.instance !== undefined) await this.kill(m.name);
    m.restarts++;
    await this.launch(m, previous);
    if (this.sides !== null) await this.backend.partition(this.sidesOf(this.sides), this.partitionDriver());
    // The new incarnation starts without a delay: set the one in force again.
    const ms = this.delays.get(m.name);
    if (ms !== undefined) await this.applyDelay(m, ms);
  }

  /**
   * Slow down everything `node` sends: each frame (handshakes, ticks, messages, rpc replies) is
   * held `ms` in the node's own connection layer before it leaves, in order; what it receives is
   * not delayed, so a round trip to it takes `ms` longer. `ms` 0 lifts the delay (frames held
   * leave at once). The same in both modes (an rpc to the node, `sdnode start --fault-hooks`:
   * the kernel may have no netem qdisc). The delay belongs to the cluster like a partition: a
   * restarted node gets it again (its new incarnation starts without one and the restart sets
   * it), a stopped or killed one when it is restarted; `state(node).outboundDelay` and the
   * failure report show it. Resolves once the node has it in force. Rejects with
   * InvalidArgumentError (bad `ms`, unknown node) or FaultInjectionError (a frozen node, or the
   * node did not answer).
   */
  async delay(node: string | ClusterNode, ms: number): Promise<void> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) {
      throw new InvalidArgumentError('ms', `a delay must be a number of ms in 0..${MAX_DELAY_MS}, got ${String(ms)}`);
    }
    const m = this.node(node);
    if (m.status === 'frozen') throw new FaultInjectionError(`delay ${m.name}`, 'it is frozen (thaw it first)');
    if (ms === 0) this.delays.delete(m.name);
    else this.delays.set(m.name, ms);
    if (m.instance !== undefined) await this.applyDelay(m, ms);
  }

  private async applyDelay(m: ClusterNode, ms: number): Promise<void> {
    try {
      // The answer itself leaves the node after the new delay: give it that much more time.
      await this.rpc(m.name, HarnessFunctions.delay, [ms], { timeout: Math.min(5_000 + ms, MAX_DELAY_MS) });
    } catch (error) {
      throw new FaultInjectionError(`delay ${m.name}`, (error as Error).message);
    }
  }

  /**
   * Cut the network between the given sides (node names): nodes in different sides cannot
   * reach each other; nodes in no side, and the driver, still reach everyone.
   */
  async partition(sides: readonly (readonly (string | ClusterNode)[])[]): Promise<void> {
    const names = sides.map((side) => side.map((n) => this.node(n).name));
    const all = names.flat();
    if (new Set(all).size !== all.length) throw new InvalidArgumentError('sides', 'a node is in two sides');
    if (this.sides !== null) await this.heal();
    this.sides = names;
    await this.backend.partition(this.sidesOf(names), this.partitionDriver());
  }

  /** Undo the partition; reconnecting is left to the nodes (their seeds, gossip and sends). */
  async heal(): Promise<void> {
    this.sides = null;
    await this.backend.heal(
      this.members.map((m) => m.spec),
      this.partitionDriver(),
    );
  }

  private sidesOf(names: readonly (readonly string[])[]): ResolvedNode[][] {
    return names.map((side) => side.map((n) => this.node(n).spec));
  }

  private partitionDriver() {
    return {
      rpc: (node: string, fn: string, args: readonly unknown[]) => this.rpc(node, fn, args, { timeout: 5_000 }),
      instance: (node: string) => this.node(node).instance,
    };
  }

  // ---- reports and clean-up ----

  /** Every node's state (status, connections, processes, names, last log lines) as text. */
  report(options: { logLines?: number } = {}): Promise<string> {
    return clusterReport(this.members, (name) => this.state(name, { timeout: 2_000 }), { driver: this.driver.name, log: this.driverLog }, options);
  }

  /** Print the report (to `options.report`, default console.error) under a title. */
  async printReport(title: string): Promise<void> {
    const text = await this.report();
    this.reported = true;
    (this.options.report ?? ((t: string) => console.error(t)))(`\n===== ${title} =====\nstate of every node (${this.mode} cluster):\n${text}\n`);
  }

  /** Stop every node (thawed first), the driver, and whatever the backend holds. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      const errors: unknown[] = [];
      const collect = async (p: Promise<unknown>): Promise<void> => {
        try {
          await p;
        } catch (error) {
          errors.push(error);
        }
      };
      await Promise.all(this.members.map((m) => collect(this.stop(m.name))));
      await collect(this.driver.stop());
      await collect(this.backend.close());
      await Promise.all([...this.members.map((m) => collect(m.log.close())), collect(this.driverLog.close())]);
      if (errors.length > 0) throw new AggregateError(errors, `closing the cluster: ${errors.length} error(s)`);
    })();
    return this.closed;
  }
}

/** The longest delay (a timer's limit). */
const MAX_DELAY_MS = 2 ** 31 - 1;

function signalOf(options: DriveOptions): { signal?: AbortSignal } {
  return options.signal !== undefined ? { signal: options.signal } : {};
}
