import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FaultInjectionError, InvalidArgumentError, NodeExitedError, TimeoutError } from '@sdnode/wire';
import type { ClusterBackend, DriverEndpoint, NodeInstance, PartitionDriver, ResolvedNode, StartRequest } from '../backend.js';
import type { LocalBackendContext } from '../local/local-backend.js';
import { hasLoopbackRange, loopbackAddress } from '../local/loopback.js';
import { healByRpc, partitionByRpc } from '../rpc-partition.js';
import type { NodeLog } from '../logs/node-log.js';
import type { StartedNode, WorkerNodeSpec } from './protocol.js';
import { raiseZmqSocketLimit } from './socket-limit.js';
import { WorkerProcess, WorkerRequestError } from './worker-process.js';
import { CARRIERS, isCarrierName, type CarrierName } from '@sdnode/transport';

export interface MultiBackendOptions {
  /**
   * Nodes per worker process (default 25): a node goes to the first worker with room, a new
   * worker is started when all are full. Ignored when `processes` is given.
   */
  readonly nodesPerProcess?: number;
  /** A fixed number of worker processes; each node goes to the one running the fewest nodes. */
  readonly processes?: number;
  /** Flags for Node.js itself in every worker process (e.g. `['--max-old-space-size=4096']`). */
  readonly nodeArgs?: readonly string[];
  /** Give each node its own 127.0.0.x address (default: on Linux); otherwise all use 127.0.0.1. */
  readonly distinctAddresses?: boolean;
  /** Run placement on every visible node, as `sdnode start` does (default true). */
  readonly placement?: boolean;
  /** The runtime's log lines kept in each node's log: `warn` and above (default), or `info` too. */
  readonly logLevel?: 'info' | 'warn';
  /** The worker program (default: `dist/multi/multi-worker.js` of this package, or `$SDNODE_MULTI_WORKER`). */
  readonly worker?: string;
  /**
   * The nodes' carrier where the cluster file names none: `net` (the runtime's default) or `zmq`.
   * Multi mode holds every connection end of its nodes in few processes: on `zmq` each takes about
   * 5 file descriptors (a TCP socket, the Dealer's and its monitor's mailboxes), on `net` about 2.
   */
  readonly carrier?: CarrierName;
}

/** What multi mode cannot do, and says so with this reason (in a FaultInjectionError). */
export const MULTI_MODE_SHARES_PROCESS = 'multi mode runs several nodes in one OS process, so one node cannot be frozen alone (use the local mode)';

/**
 * The worker program: explicit, `$SDNODE_MULTI_WORKER`, or this package's build (beside this
 * file in `dist/`, or `dist/multi/` when this file runs from `src/` under a test runner).
 */
export function findMultiWorker(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = explicit ?? env['SDNODE_MULTI_WORKER'];
  if (given !== undefined) {
    if (!existsSync(given)) throw new InvalidArgumentError('worker', `${given} does not exist`);
    return given;
  }
  const candidates = [new URL('./multi-worker.js', import.meta.url), new URL('../../dist/multi/multi-worker.js', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) throw new InvalidArgumentError('worker', `cannot find the multi-mode worker (${candidates[1]}): build the harness (npm run build)`);
  return found;
}

/** A worker process, from the moment a node is placed in it (it may still be starting). */
interface WorkerSlot {
  readonly label: string;
  readonly ready: Promise<WorkerProcess>;
  worker: WorkerProcess | undefined;
  failed: boolean;
  /** Nodes placed in it and not ended (starting ones included). */
  readonly nodes: Set<string>;
}

/** One incarnation of a node inside a worker process. */
class MultiNodeInstance implements NodeInstance {
  readonly ended: Promise<string>;
  private status: string | undefined;

  constructor(
    private readonly worker: WorkerProcess,
    private readonly slot: WorkerSlot,
    private readonly name: string,
    readonly dialAddress: string,
    readonly creation: number,
    ended: Promise<string>,
  ) {
    this.ended = ended.then((s) => (this.status = s));
  }

  get advertisedAddress(): string {
    return this.dialAddress;
  }

  get where(): string {
    return `${this.slot.label} (os pid ${this.worker.pid}, ${this.slot.nodes.size} nodes)`;
  }

  async kill(timeoutMs: number): Promise<void> {
    if (this.status !== undefined) return;
    await this.settle(this.worker.request({ op: 'kill', name: this.name }, timeoutMs), timeoutMs, 'kill');
  }

  async stop(timeoutMs: number): Promise<void> {
    if (this.status !== undefined) return;
    try {
      await this.settle(this.worker.request({ op: 'stop', name: this.name }, timeoutMs), timeoutMs, 'stop');
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      await this.kill(5_000); // as SIGKILL after SIGTERM's grace
    }
  }

  freeze(): Promise<void> {
    return Promise.reject(new FaultInjectionError(`freeze ${this.name}`, MULTI_MODE_SHARES_PROCESS));
  }

  thaw(): Promise<void> {
    return Promise.reject(new FaultInjectionError(`thaw ${this.name}`, MULTI_MODE_SHARES_PROCESS));
  }

  /** Wait for the request and for the node's end (the worker reports it before answering). */
  private async settle(request: Promise<unknown>, timeoutMs: number, what: string): Promise<void> {
    try {
      await request;
    } catch (error) {
      if (error instanceof NodeExitedError && this.worker.isExited) return; // gone with its worker
      throw error;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ended,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError(`waiting for ${this.name} to end after ${what}`, timeoutMs)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Multi mode: many nodes in few OS processes. Worker processes (multi-worker.ts) each run
 * several nodes, built as `sdnode start --fault-hooks` builds its node, each over real ZeroMQ on
 * its own loopback address with a port from the OS (kept across restarts). The Cluster API is
 * the local mode's: rpc, spawn, run, kill (the node's connections drop without a word, as after
 * SIGKILL), stop, restart, partition/heal and delay (through the node's own fault hooks, as in
 * local mode), waits and state reports. What a shared process cannot do fails with a typed error:
 * freeze/thaw (FaultInjectionError), extra `sdnode start` flags per node, and user modules or
 * cluster files with applications (InvalidArgumentError).
 */
export class MultiBackend implements ClusterBackend {
  readonly mode = 'multi' as const;
  private readonly script: string;
  private readonly distinct: boolean;
  private readonly slots: WorkerSlot[] = [];
  /** The worker each node last ran in (a restart goes back there while it lives). */
  private readonly homes = new Map<string, WorkerSlot>();
  private closed = false;

  constructor(
    private readonly context: LocalBackendContext,
    private readonly options: MultiBackendOptions = {},
  ) {
    for (const [key, value] of [
      ['nodesPerProcess', options.nodesPerProcess],
      ['processes', options.processes],
    ] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new InvalidArgumentError(`multi.${key}`, `expected a positive integer, got ${String(value)}`);
    }
    if (options.carrier !== undefined && !isCarrierName(options.carrier)) {
      throw new InvalidArgumentError('multi.carrier', `expected one of ${CARRIERS.join(', ')}, got ${String(options.carrier)}`);
    }
    this.script = findMultiWorker(options.worker);
    this.distinct = options.distinctAddresses ?? hasLoopbackRange();
    // The driver lives in this process and dials every node: more than 1023 sockets with a few hundred.
    raiseZmqSocketLimit();
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

  /** The worker processes running now: OS pid and how many nodes each holds. */
  processes(): { pid: number; nodes: number }[] {
    return this.slots.flatMap((s) => (s.worker !== undefined && !s.worker.isExited ? [{ pid: s.worker.pid, nodes: s.nodes.size }] : []));
  }

  async start(request: StartRequest): Promise<NodeInstance> {
    const { node, log } = request;
    if (node.args.length > 0) {
      throw new InvalidArgumentError('args', `${node.name}: multi mode does not run \`sdnode start\`, so it takes no flags (${node.args.join(' ')}); use the local mode`);
    }
    const { slot, worker } = await this.workerFor(node.name, request.timeoutMs);
    const spec: WorkerNodeSpec = {
      name: node.name,
      hidden: node.hidden,
      listen: request.previous?.advertisedAddress ?? node.listen ?? `tcp://${node.host}:0`,
      seeds: request.seedAddresses,
      cookie: this.context.cookie,
      netTickTime: this.context.netTickTime,
      ...(this.context.module !== undefined ? { module: this.context.module } : {}),
      ...(this.context.config !== undefined ? { config: this.context.config } : {}),
      placement: this.options.placement ?? true,
      logLevel: this.options.logLevel ?? 'warn',
      ...(this.options.carrier !== undefined ? { carrier: this.options.carrier } : {}),
    };
    log.beginInstance(`starting in worker os pid ${worker.pid} (listen ${spec.listen})`);
    let end!: (status: string) => void;
    const ended = new Promise<string>((resolve) => (end = resolve));
    worker.listen(node.name, {
      line: (line) => log.add(line),
      ended: (status) => {
        slot.nodes.delete(node.name);
        log.end(status);
        end(status);
      },
    });
    let started: StartedNode;
    try {
      started = await this.startIn(worker, spec, request.timeoutMs, log);
    } catch (error) {
      worker.unlisten(node.name);
      slot.nodes.delete(node.name);
      const status = `could not be started: ${(error as Error).message}`;
      log.end(status);
      if (error instanceof WorkerRequestError && error.errorName === 'InvalidArgumentError') {
        throw new InvalidArgumentError(node.name, error.message);
      }
      if (error instanceof NodeExitedError || error instanceof TimeoutError) throw error;
      throw new NodeExitedError(node.name, `${status}; last output:\n${log.tail(15)}`);
    }
    return new MultiNodeInstance(worker, slot, node.name, started.address, started.creation, ended);
  }

  /** Start the node; a restart rebinding its port may find it not yet released by the old sockets: retried until the deadline. */
  private async startIn(worker: WorkerProcess, spec: WorkerNodeSpec, timeoutMs: number, log: NodeLog): Promise<StartedNode> {
    const deadline = Date.now() + timeoutMs;
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      try {
        return await worker.request<StartedNode>({ op: 'start', spec }, Math.max(1, deadline - Date.now()));
      } catch (error) {
        const rebinding = !spec.listen.endsWith(':0') && error instanceof WorkerRequestError && /cannot bind/.test(error.message);
        if (!rebinding || Date.now() + pause >= deadline) throw error;
        log.add(`[harness] ${spec.listen} not free yet (${error.message}): trying again in ${pause} ms`);
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  /**
   * The worker for a node, chosen at once (concurrent starts see each other's choices): its
   * previous worker while that lives; else, with `processes`, a new worker until there are that
   * many, then the one holding the fewest nodes; else the first with room, or a new one.
   */
  private async workerFor(name: string, timeoutMs: number): Promise<{ slot: WorkerSlot; worker: WorkerProcess }> {
    if (this.closed) throw new NodeExitedError(name, 'the cluster is closing');
    const alive = (s: WorkerSlot): boolean => !s.failed && s.worker?.isExited !== true;
    const live = this.slots.filter(alive);
    const home = this.homes.get(name);
    let slot: WorkerSlot | undefined = home !== undefined && alive(home) ? home : undefined;
    const fixed = this.options.processes;
    if (slot === undefined && fixed !== undefined) {
      slot = live.length < fixed ? undefined : live.reduce((a, b) => (b.nodes.size < a.nodes.size ? b : a));
    } else if (slot === undefined) {
      slot = live.find((s) => s.nodes.size < (this.options.nodesPerProcess ?? 25));
    }
    if (slot === undefined) {
      const label = `multi-worker-${this.slots.length + 1}`;
      const created: WorkerSlot = { label, nodes: new Set(), failed: false, worker: undefined, ready: WorkerProcess.start(this.script, this.options.nodeArgs ?? [], label, timeoutMs) };
      created.ready.then(
        (w) => (created.worker = w),
        () => (created.failed = true),
      );
      this.slots.push(created);
      slot = created;
    }
    slot.nodes.add(name);
    this.homes.set(name, slot);
    try {
      return { slot, worker: await slot.ready };
    } catch (error) {
      slot.nodes.delete(name);
      throw error;
    }
  }

  partition(sides: readonly (readonly ResolvedNode[])[], driver: PartitionDriver): Promise<void> {
    return partitionByRpc(sides, driver, 'partition the multi-mode cluster');
  }

  heal(nodes: readonly ResolvedNode[], driver: PartitionDriver): Promise<void> {
    return healByRpc(nodes, driver, 'heal the multi-mode cluster');
  }


  async close(): Promise<void> {
    this.closed = true;
    const workers = await Promise.all(this.slots.map((s) => s.ready.catch(() => undefined)));
    await Promise.all(workers.map((w) => w?.close()));
  }
}
