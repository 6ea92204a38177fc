import { EventEmitter } from 'node:events';
import {
  ExitReasons,
  InvalidArgumentError,
  NoProcError,
  NodeStoppedError,
  TimeoutError,
  AbortedError,
  CalleeExitError,
  isValidNodeName,
  type ExitReason,
  type Pid,
} from '@sdnode/wire';
import type { Transport, PeerInfo } from '@sdnode/transport';
import { Kernel } from './kernel.js';
import { ProcessExit, type Proc } from './process.js';
import { F_BUSY, F_DYING, F_TRAP } from './process-flags.js';
import type { ProcessContext, CallOptions } from './process-context.js';
import type { ProcessType, AsyncBody } from './process-type.js';
import type { Destination } from './signals.js';
import { LocalOnlyRemote } from './local-only-remote.js';
import { Distribution } from './distribution.js';
import { FullMeshPolicy, type ConnectionPolicy } from './connection-policy.js';
import { defaultLogger, type CoreLogger } from './logger.js';
import { RPC_SERVER_NAME, RpcServer, unwrapRpcAnswer, type RpcFunction } from './rpc-server.js';
import { WorkerPool } from './worker-pool.js';
import { createDefaultTransport } from './default-transport.js';
import { ShutdownHooks } from './shutdown-hooks.js';
import { NameServices, type NameService } from './name-service.js';
import type { ExitListener, ExitWatch } from './exit-watch.js';
import type {
  NodeConnectOptions,
  NodeEvents,
  NodeStopOptions,
  NodeInfo,
  NodeOptions,
  NodeSpawnRemoteOptions,
  ProcessInfo,
  RpcOptions,
  RunOptions,
} from './node-options.js';

/**
 * One node: a local runtime (processes, names, timers) plus, with a transport, distribution to
 * other nodes. Several nodes can run in one Node.js process (nothing is module-level).
 */
export class Node {
  readonly workers: WorkerPool;
  private readonly events = new EventEmitter();
  private readonly functions = new Map<string, RpcFunction>();
  private stopped: Promise<void> | null = null;
  private readonly shutdownHooks: ShutdownHooks;
  private readonly nameServices = new NameServices();

  private constructor(
    private readonly k: Kernel,
    private readonly transport: Transport | null,
    private readonly dist: Distribution | null,
    readonly policy: ConnectionPolicy | null,
    readonly logger: CoreLogger,
    options: NodeOptions,
  ) {
    this.workers = new WorkerPool(k.name, options.workers);
    this.shutdownHooks = new ShutdownHooks(logger);
    this.events.setMaxListeners(0);
  }

  static async start(options: NodeOptions): Promise<Node> {
    if (!isValidNodeName(options.name)) throw new InvalidArgumentError('name', `"${String(options.name)}" is not name@host`);
    const logger = options.logger ?? defaultLogger(options.name);
    const policy = options.connectionPolicy ?? new FullMeshPolicy();
    const transport = options.transport === undefined ? createDefaultTransport(options, policy, logger) : options.transport;
    let node: Node | null = null;
    try {
      if (transport !== null && transport.name !== options.name) {
        throw new InvalidArgumentError('transport', `transport is for ${transport.name}, not ${options.name}`);
      }
      const creation = transport?.creation ?? options.creation ?? (Date.now() % 0x7fffffff) + 1;
      const k = new Kernel(options.name, creation, logger, options.scheduler);
      const dist = transport !== null ? new Distribution(k, transport, policy, logger) : null;
      k.remote = dist ?? new LocalOnlyRemote(k);
      node = new Node(k, transport, dist, transport !== null ? policy : null, logger, options);
      k.node = node;
      for (const t of options.types ?? []) node.defineType(t);
      const self = node;
      node.registerFunction('sdnode.ping', () => 'pong');
      node.registerFunction('sdnode.info', () => self.info());
      for (const [name, fn] of Object.entries(options.functions ?? {})) node.registerFunction(name, fn);
      node.startRpcServer();
      if (dist !== null) {
        dist.onNodeEvent = (event, peer, reason) => self.emitNodeEvent(event, peer, reason);
        dist.start();
        if (transport!.address === undefined) await transport!.listen();
        for (const [name, address] of Object.entries(options.seeds ?? {})) dist.connectInBackground(name, address);
      }
      return node;
    } catch (e) {
      // Nothing may be left running: stop what was started, and close a transport we created.
      if (node !== null) await node.stop();
      else if (options.transport === undefined) await transport?.close();
      throw e;
    }
  }

  /** The rpc server (`sdnode_rpc`); restarted if it ever exits while the node runs. */
  private startRpcServer(): void {
    const rpc = this.k.spawn(RpcServer, [(name: string) => this.functions.get(name)], null);
    this.k.register(RPC_SERVER_NAME, rpc);
    rpc.exitHook = (reason) => {
      if (this.k.stopping) return;
      this.logger.warn({ reason }, 'rpc server exited; restarting it');
      this.startRpcServer();
    };
  }

  get name(): string {
    return this.k.name;
  }

  get creation(): number {
    return this.k.creation;
  }

  /** The advertised address (undefined for a local-only node). */
  get address(): string | undefined {
    return this.transport?.address;
  }

  get hidden(): boolean {
    return this.transport?.hidden ?? false;
  }

  /** Make a process type spawnable by name on this node (also from other nodes). */
  defineType(type: ProcessType): void {
    const existing = this.k.types.get(type.name);
    if (existing !== undefined && existing !== type) throw new InvalidArgumentError('type', `"${type.name}" is already defined`);
    this.k.types.set(type.name, type);
  }

  /** The process type spawned under `name` on this node (undefined when none is defined). */
  processType(name: string): ProcessType | undefined {
    return this.k.types.get(name);
  }

  /**
   * Replace the definition of an existing type (a code upgrade): later spawns by name run `type`;
   * running processes keep their implementation until they switch themselves (OTP behaviours do
   * with `Sys.changeCode`). Returns the definition it replaced.
   */
  replaceType(type: ProcessType): ProcessType {
    const existing = this.k.types.get(type.name);
    if (existing === undefined) throw new InvalidArgumentError('type', `"${type.name}" is not defined on ${this.name}`);
    this.k.types.set(type.name, type);
    return existing;
  }

  /** Make a function callable by `rpc` from any node. */
  registerFunction(name: string, fn: RpcFunction): void {
    if (typeof fn !== 'function') throw new InvalidArgumentError('function', `"${name}" is not a function`);
    this.functions.set(name, fn);
  }

  // ---- processes ----

  spawn<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): Pid {
    return this.k.spawn(type, args, null).self;
  }

  /** An anonymous local process running `fn` (closures never leave the node). */
  spawnFn(fn: AsyncBody<[]>, options: { name?: string } = {}): Pid {
    const p = this.k.spawnBody(fn as AsyncBody<unknown[]>, null);
    if (options.name !== undefined) this.k.register(options.name, p);
    return p.self;
  }

  spawnRemote(node: string, type: string, args: readonly unknown[], options: NodeSpawnRemoteOptions = {}): Promise<Pid> {
    let parent: Proc | null = null;
    if (options.link !== undefined) {
      parent = this.k.lookup(options.link) ?? null;
      if (parent === null) return Promise.reject(new NoProcError(options.link.toString()));
    }
    const { link, ...rest } = options;
    return this.k.spawnRemote(parent, node, type, args, { ...rest, link: link !== undefined });
  }

  /** Send from outside any process. Throws NoProcError for an unregistered local name. */
  send(to: Destination, msg: unknown): void {
    this.k.send(to, msg, this.k.nodePid);
  }

  /** Send an exit signal (from the node itself) to a process. */
  exit(pid: Pid, reason: ExitReason): void {
    this.k.exitSignal(this.k.nodePid, pid, reason);
  }

  register(name: string, pid: Pid): void {
    const p = this.k.lookup(pid);
    if (p === undefined) throw new NoProcError(pid.toString());
    this.k.register(name, p);
  }

  /** Returns false when the name was not registered. */
  unregister(name: string): boolean {
    return this.k.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.k.whereis(name);
  }

  registered(): string[] {
    return [...this.k.names.keys()];
  }

  /**
   * Make a name service (a registry scope) reachable on this node by its scope name: the OTP
   * behaviours resolve `{ global: name }` and `{ scope, name }` with it. Throws
   * InvalidArgumentError when the scope has a service already. Returns a function removing it.
   */
  registerNameService(svc: NameService): () => void {
    return this.nameServices.add(svc);
  }

  /** The name service of `scopeName` on this node, or undefined. */
  nameService(scopeName: string): NameService | undefined {
    return this.nameServices.get(scopeName);
  }

  /**
   * Run `fn` as a temporary process (a shell, a script, a test) and resolve with its result.
   * Rejects with what `fn` threw, TimeoutError/AbortedError (the process is killed), or
   * CalleeExitError when the process was made to exit by a signal.
   */
  run<T>(fn: (ctx: ProcessContext) => T | Promise<T>, options: RunOptions = {}): Promise<T> {
    if (options.signal?.aborted) return Promise.reject(new AbortedError('run'));
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let value: T | undefined;
      let thrown: { error: unknown } | null = null;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const onAbort = (): void => fail(new AbortedError('run', { pid: p.self.toString() }));
      const cleanup = (): void => {
        done = true;
        if (timer !== null) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: Error): void => {
        if (done) return;
        cleanup();
        this.k.die(p, ExitReasons.killed);
        reject(e);
      };
      const p = this.k.spawnBody(async (ctx: ProcessContext) => {
        try {
          value = await fn(ctx);
        } catch (e) {
          thrown = { error: e };
          throw e;
        }
      }, null);
      p.exitHook = (reason) => {
        if (done) return;
        cleanup();
        const t = thrown as { error: unknown } | null;
        if (t !== null && !(t.error instanceof ProcessExit)) reject(t.error);
        else if (reason.kind === 'normal') resolve(value as T);
        else reject(new CalleeExitError(p.self.toString(), reason));
      };
      if (options.timeout !== undefined) {
        const ms = options.timeout;
        timer = setTimeout(() => fail(new TimeoutError('run', ms, { pid: p.self.toString() })), ms);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The OTP call pattern from a temporary process. */
  call<T = unknown>(to: Destination, request: unknown, options: CallOptions = {}): Promise<T> {
    return this.run((ctx) => ctx.call<T>(to, request, options));
  }

  /**
   * Call a registered function on a node (this one included) through its rpc server. Rejects with
   * RemoteCallError (the function threw), UnknownFunctionError, NoConnectionError, TimeoutError.
   */
  rpc<T = unknown>(node: string, fn: string, args: readonly unknown[] = [], options: RpcOptions = {}): Promise<T> {
    const callOptions: CallOptions = { timeout: options.timeout ?? 5000, ...(options.signal !== undefined ? { signal: options.signal } : {}) };
    return this.run(async (ctx) => unwrapRpcAnswer(await ctx.call({ name: RPC_SERVER_NAME, node }, { fn, args }, callOptions)) as T);
  }

  // ---- nodes ----

  connect(name: string, options: NodeConnectOptions = {}): Promise<PeerInfo> {
    if (this.dist === null) return Promise.reject(new NodeStoppedError(this.name));
    return this.dist.connect(name, options);
  }

  disconnect(name: string): void {
    this.transport?.disconnect(name);
  }

  /** Bytes queued towards `node` and not yet handed to the socket (the transport's queuedBytes; 0 for a local-only node). Read-only, for metrics. */
  queuedBytes(node: string): number {
    return this.transport?.queuedBytes(node) ?? 0;
  }

  /** The outbound delay of the node's transport in ms (0: none; always 0 for a local-only node). */
  get outboundDelay(): number {
    return this.transport?.outboundDelay ?? 0;
  }

  /**
   * A fault for tests: hold every frame this node sends for `ms` before it leaves (the transport's
   * setOutboundDelay: in order, handshakes and ticks included); 0 lifts it. A new incarnation of
   * the node starts without one. Throws InvalidArgumentError for a bad `ms`, or on a local-only node.
   */
  setOutboundDelay(ms: number): void {
    if (this.transport === null) throw new InvalidArgumentError('node', `${this.name} is local-only: it sends nothing to delay`);
    this.transport.setOutboundDelay(ms);
  }

  /**
   * Connected visible nodes, as the connection policy sees them (with s_groups: the members of
   * this node's groups); with `{hidden: true}`, hidden nodes too; with `{all: true}`, every
   * connected non-hidden node, point-to-point connections included.
   */
  nodes(options: { hidden?: boolean; all?: boolean } = {}): string[] {
    const peers = this.transport?.peers() ?? [];
    const visible = options.all === true ? undefined : this.policy?.visible?.bind(this.policy);
    return peers.filter((p) => (options.hidden === true || !p.hidden) && (p.hidden || visible === undefined || visible(p))).map((p) => p.name);
  }

  on<E extends keyof NodeEvents>(event: E, listener: (...args: NodeEvents[E]) => void): this {
    this.events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof NodeEvents>(event: E, listener: (...args: NodeEvents[E]) => void): this {
    this.events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  private emitNodeEvent(event: 'nodeup' | 'nodedown', peer: PeerInfo, reason: string | undefined): void {
    const info = { hidden: peer.hidden, address: peer.address, creation: peer.creation, ...(reason !== undefined ? { reason } : {}) };
    for (const listener of this.events.listeners(event)) {
      try {
        (listener as (name: string, i: typeof info) => void)(peer.name, info);
      } catch (e) {
        this.logger.error({ err: e, event }, 'node event listener threw');
      }
    }
  }

  /** Higher layers (registry, s_groups) exchange CONTROL frames on named channels. */
  get control(): { on(channel: string, handler: (from: PeerInfo, body: unknown) => void): void; send(node: string, channel: string, body: unknown): boolean } {
    const dist = this.dist;
    return {
      on: (channel, handler) => dist?.onControl(channel, handler),
      send: (node, channel, body) => dist?.sendControl(node, channel, body) ?? false,
    };
  }

  // ---- introspection ----

  processes(): Pid[] {
    const out: Pid[] = [];
    for (const p of this.k.procs.values()) out.push(p.self);
    return out;
  }

  /** Is `pid` a live local process (not exiting)? Cheap: for hot paths such as a registry's checks. */
  isAlive(pid: Pid): boolean {
    const p = this.k.lookup(pid);
    return p !== undefined && (p.flags & F_DYING) === 0;
  }

  /**
   * Observe exits of local processes (a registry's named pids) without a monitor per pid:
   * `add(pid)` to a watch, and `listener` is called once when that process has exited.
   */
  watchExits(listener: ExitListener): ExitWatch {
    return this.k.exitWatches.open(listener);
  }

  processInfo(pid: Pid): ProcessInfo | undefined {
    const p = this.k.lookup(pid);
    if (p === undefined) return undefined;
    const status = (p.flags & F_DYING) !== 0 ? 'exiting' : p.queued ? 'runnable' : (p.flags & F_BUSY) !== 0 ? 'busy' : 'waiting';
    return {
      pid: p.self,
      name: p.name,
      type: p.type?.name ?? 'anonymous',
      status,
      messageQueueLength: p.queueLength,
      links: [...(p.links?.values() ?? [])],
      monitors: [...(p.monitors?.values() ?? [])].map((m) => m.ref),
      monitoredBy: p.monitoredBy?.size ?? 0,
      trapExit: (p.flags & F_TRAP) !== 0,
    };
  }

  info(): NodeInfo {
    const peers = this.transport?.peers() ?? [];
    return {
      name: this.name,
      creation: this.creation,
      address: this.address ?? null,
      hidden: this.hidden,
      processCount: this.k.procs.size,
      nodes: this.nodes(),
      hiddenNodes: peers.filter((p) => p.hidden).map((p) => p.name),
      policy: this.policy?.name ?? 'none',
      stats: {
        ...this.k.stats,
        runQueue: this.k.scheduler.runQueueLength,
        registeredNames: this.k.names.size,
        droppedFrames: this.dist?.droppedFrames ?? 0,
        transport: this.transport?.stats() ?? null,
      },
    };
  }

  get isStopped(): boolean {
    return this.stopped !== null;
  }

  /**
   * Run `hook` when the node stops, before its processes are made to exit: the place for an
   * orderly shutdown (the application controller stops its applications there, top-down). Hooks
   * run one at a time, the last added first, each within `timeout` ms (default 30000); a hook that
   * throws or overruns is logged and the stop goes on. Returns a function that removes the hook.
   */
  addShutdownHook(name: string, hook: () => void | Promise<void>, options: { timeout?: number } = {}): () => void {
    return this.shutdownHooks.add(name, hook, options.timeout);
  }

  /**
   * Stop the node: emits `stopping` (with `reason`, when something asked the node to go down,
   * such as a permanent application that exited), runs the shutdown hooks, then every process
   * exits `shutdown` (terminate callbacks run), workers stop, the transport closes.
   */
  stop(options: NodeStopOptions = {}): Promise<void> {
    if (this.stopped !== null) return this.stopped;
    const reason = options.reason ?? null;
    if (reason !== null) this.logger.error({ reason }, 'node stopping');
    for (const listener of this.events.listeners('stopping')) {
      try {
        (listener as (info: { reason: string | null }) => void)({ reason });
      } catch (e) {
        this.logger.error({ err: e, event: 'stopping' }, 'node event listener threw');
      }
    }
    this.stopped = (async () => {
      await this.shutdownHooks.run();
      const k = this.k;
      k.stopping = true;
      for (const p of [...k.procs.values()]) k.die(p, ExitReasons.shutdown());
      k.scheduler.flushExits();
      k.scheduler.stop();
      await this.workers.close();
      if (this.dist !== null) await this.dist.stop();
    })();
    return this.stopped;
  }
}
