import {
  AlreadyRegisteredError,
  ExitReasons,
  NameTakenError,
  InvalidArgumentError,
  NodeStoppedError,
  NoProcError,
  Pid,
  Ref,
  UnknownProcessTypeError,
  type ExitReason,
} from '@sdnode/wire';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import { Proc, type MonitorOut } from './process.js';
import { F_BUSY, F_DEAD, F_DYING, F_EXITED, F_MONHIDDEN, F_MONNODES, F_READY, F_TRAP } from './process-flags.js';
import type { ProcessType, AsyncBody } from './process-type.js';
import type { RemoteOps } from './remote-ops.js';
import type { RemoteSpawnOptions } from './process-context.js';
import { isNameAtNode, type Destination, type MonitorTarget, type NameAtNode } from './signals.js';
import { cancelAllTimers } from './timers.js';
import { ReceiveTimers } from './receive-timers.js';
import type { CoreLogger } from './logger.js';
import type { Node } from './node.js';
import { finalizeExit } from './exit.js';
import { ExitWatches } from './exit-watch.js';
import { removeDown } from './selective-receive.js';

const NAME = /^[^\s]{1,255}$/;

export interface KernelStats {
  spawned: number;
  exited: number;
  crashed: number;
}

/**
 * The local runtime of one node: the process table, spawning, delivery, exit signals, links and
 * monitors between local processes, the local name registry, node monitoring subscriptions.
 * Anything concerning another node is handed to `remote`.
 */
export class Kernel {
  readonly procs = new Map<number, Proc>();
  readonly names = new Map<string, Proc>();
  readonly types = new Map<string, ProcessType>();
  readonly nodeWatchers = new Set<Proc>();
  readonly scheduler: Scheduler<Proc>;
  /** The pid of the node itself (id 0): the sender of messages sent from outside any process. */
  readonly nodePid: Pid;
  readonly stats: KernelStats = { spawned: 0, exited: 0, crashed: 0 };
  /** The timeouts of pending receives and calls. */
  readonly receiveTimers = new ReceiveTimers();
  /** Node-level observers of local exits (Node.watchExits), told by finalizeExit. */
  readonly exitWatches: ExitWatches;
  node!: Node;
  remote!: RemoteOps;
  stopping = false;
  private lastId = 0;
  private lastRef = 0;

  constructor(
    readonly name: string,
    readonly creation: number,
    readonly logger: CoreLogger,
    scheduler: SchedulerOptions = {},
  ) {
    this.nodePid = new Pid(name, 0, creation);
    this.exitWatches = new ExitWatches({ name, creation, isPresent: (pid) => ((this.lookup(pid)?.flags ?? F_EXITED) & F_EXITED) === 0 }, logger);
    this.scheduler = new Scheduler<Proc>(
      (p) => finalizeExit(this, p),
      (e) => this.logger.error({ err: e }, 'internal scheduler error'),
      scheduler,
    );
  }

  makeRef(): Ref {
    return new Ref(this.name, ++this.lastRef, this.creation);
  }

  /** The live (or exiting) local process of a pid of this node's current incarnation. */
  lookup(pid: Pid): Proc | undefined {
    return pid.creation === this.creation && pid.node === this.name ? this.procs.get(pid.id) : undefined;
  }

  // ---- spawning ----

  resolveType(type: ProcessType | string): ProcessType {
    if (typeof type !== 'string') return type;
    const t = this.types.get(type);
    if (t === undefined) throw new UnknownProcessTypeError(type, this.name);
    return t;
  }

  /** Spawn a typed process; with `link`, linked to `parent` before it runs. */
  spawn(type: ProcessType | string, args: readonly unknown[], parent: Proc | null, link = false): Proc {
    const t = this.resolveType(type);
    const p = this.newProc(t, null, args);
    if (link && parent !== null) this.linkLocal(parent, p);
    return p;
  }

  /** Spawn an anonymous process running `body`. */
  spawnBody(body: AsyncBody<unknown[]>, parent: Proc | null, args: readonly unknown[] = []): Proc {
    const p = this.newProc(null, body, args);
    if (parent !== null) this.linkLocal(parent, p);
    return p;
  }

  private newProc(type: ProcessType | null, body: AsyncBody<unknown[]> | null, args: readonly unknown[]): Proc {
    if (this.stopping) throw new NodeStoppedError(this.name);
    const id = ++this.lastId;
    const p = new Proc(this, new Pid(this.name, id, this.creation), type, body, args);
    this.procs.set(id, p);
    this.stats.spawned++;
    this.scheduler.enqueue(p);
    return p;
  }

  /**
   * Spawn on `node` (this one or another). With `monitorRef` (and a parent `p`), `p` monitors the
   * child with that ref, set up before the child runs.
   */
  spawnRemote(p: Proc | null, node: string, type: string, args: readonly unknown[], options: RemoteSpawnOptions, monitorRef: Ref | null = null): Promise<Pid> {
    if (node !== this.name) return this.remote.spawn(p, node, type, args, options, monitorRef);
    try {
      const child = this.spawn(type, args, p, options.link === true);
      if (options.name !== undefined) this.register(options.name, child);
      if (monitorRef !== null && p !== null) this.monitor(p, child.self, monitorRef);
      return Promise.resolve(child.self);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** First run of a process: `init` or the async body. */
  startProcess(p: Proc, args: readonly unknown[]): void {
    const beh = p.type?.behaviour ?? null;
    let r: unknown;
    try {
      r = beh !== null ? beh.init(p, ...args) : (p.body ?? p.type!.body!)(p, ...args);
    } catch (e) {
      p.crash(e);
      return;
    }
    const thenable = typeof r === 'object' && r !== null && typeof (r as { then?: unknown }).then === 'function';
    if ((p.flags & F_DEAD) !== 0) {
      // Exited during its first slice (ctx.exit, a signal): still observe the promise so that its
      // rejection is not reported as unhandled.
      if (thenable) (r as PromiseLike<unknown>).then(undefined, () => undefined);
      return;
    }
    if (beh === null) {
      if (thenable) {
        (r as PromiseLike<unknown>).then(
          () => this.die(p, ExitReasons.normal),
          (e: unknown) => p.crash(e),
        );
      } else {
        this.die(p, ExitReasons.normal);
      }
      return;
    }
    if (thenable) {
      p.flags |= F_BUSY;
      this.awaitState(p, r as PromiseLike<unknown>);
      return;
    }
    p.state = r;
    p.flags |= F_READY;
    if (p.queueLength > 0 && !p.queued) this.scheduler.enqueue(p);
  }

  /** A callback returned a promise: the process is busy until it settles with the new state. */
  awaitState(p: Proc, promise: PromiseLike<unknown>): void {
    promise.then(
      (state) => {
        if ((p.flags & F_DEAD) !== 0) return;
        p.state = state;
        p.flags = (p.flags & ~F_BUSY) | F_READY;
        if (p.queueLength > 0 && !p.queued && p.rx === null) this.scheduler.enqueue(p);
      },
      (e: unknown) => p.crash(e),
    );
  }

  // ---- messages ----

  /** Send as `from`. Throws NoProcError for an unregistered local name, NotSendableError for remote. */
  send(to: Destination, msg: unknown, from: Pid): void {
    if (to instanceof Pid) {
      if (to.node === this.name) {
        if (to.creation === this.creation) {
          const p = this.procs.get(to.id);
          if (p !== undefined) p.deliver(msg);
        }
        return;
      }
      this.remote.send(to, msg, from);
      return;
    }
    this.sendByName(to, msg, from, false);
  }

  /** Send, dropping the message when a local name is not registered (never throws NoProcError). */
  sendQuietly(to: Destination, msg: unknown, from: Pid): void {
    if (to instanceof Pid) this.send(to, msg, from);
    else this.sendByName(to, msg, from, true);
  }

  private sendByName(to: string | NameAtNode, msg: unknown, from: Pid, quiet: boolean): void {
    let name: string;
    if (typeof to === 'string') {
      name = to;
    } else if (isNameAtNode(to)) {
      if (to.node !== this.name) {
        this.remote.regSend(to.node, to.name, msg, from);
        return;
      }
      name = to.name;
    } else {
      throw new InvalidArgumentError('destination', 'expected a Pid, a name or { name, node }');
    }
    const p = this.names.get(name);
    if (p !== undefined) p.deliver(msg);
    else if (!quiet) throw new NoProcError(name, { node: this.name });
  }

  // ---- exits ----

  /** Mark `p` as exiting with `reason`; links, monitors and names are handled by finalizeExit. */
  die(p: Proc, reason: ExitReason): void {
    if ((p.flags & F_DEAD) !== 0) return;
    p.flags |= F_DYING;
    p.reason = reason;
    p.dropReceive();
    cancelAllTimers(p);
    if (reason.kind === 'error') this.stats.crashed++;
    this.scheduler.enqueueExit(p);
  }

  /** `exit(to, reason)` sent by `from` (Erlang's exit/2). */
  exitSignal(from: Pid, to: Pid, reason: ExitReason): void {
    if (to.node !== this.name) {
      this.remote.exit2(from, to, reason);
      return;
    }
    const q = this.lookup(to);
    if (q !== undefined) this.signal(q, from, reason, false);
  }

  /**
   * Deliver an exit signal to a local process. `viaLink`: the signal comes from a link (the link
   * is already removed); otherwise it was sent with exit/2, where `kill` cannot be trapped.
   */
  signal(q: Proc, from: Pid, reason: ExitReason, viaLink: boolean): void {
    if ((q.flags & F_DEAD) !== 0) return;
    if (!viaLink && reason.kind === 'kill') {
      this.die(q, ExitReasons.killed);
      return;
    }
    if ((q.flags & F_TRAP) !== 0) {
      q.deliver({ signal: 'EXIT', from, reason });
      return;
    }
    if (reason.kind === 'normal') {
      if (!viaLink && from.equals(q.self)) this.die(q, reason);
      return;
    }
    this.die(q, reason);
  }

  // ---- links ----

  link(p: Proc, pid: Pid): void {
    if (pid.equals(p.self)) return;
    if (p.links?.has(pid.key)) return;
    if (pid.node !== this.name) {
      (p.links ??= new Map()).set(pid.key, pid);
      this.remote.link(p, pid);
      return;
    }
    const q = this.lookup(pid);
    if (q === undefined || (q.flags & F_EXITED) !== 0) {
      this.signal(p, pid, ExitReasons.noproc, true);
      return;
    }
    this.linkLocal(p, q);
  }

  linkLocal(p: Proc, q: Proc): void {
    (p.links ??= new Map()).set(q.self.key, q.self);
    (q.links ??= new Map()).set(p.self.key, p.self);
  }

  unlink(p: Proc, pid: Pid): void {
    if (p.links === null || !p.links.delete(pid.key)) return;
    if (pid.node !== this.name) {
      this.remote.unlink(p, pid);
      return;
    }
    this.lookup(pid)?.links?.delete(p.self.key);
  }

  // ---- monitors ----

  monitor(p: Proc, target: MonitorTarget, ref: Ref = this.makeRef()): Ref {
    if ((p.flags & F_DEAD) !== 0) return ref;
    let q: Proc | undefined;
    let reported: Pid | NameAtNode;
    if (target instanceof Pid) {
      reported = target;
      if (target.node !== this.name) {
        const entry = this.remote.monitor(p, ref, target.node, target, target);
        if (entry !== null) this.addMonitor(p, entry);
        return ref;
      }
      q = this.lookup(target);
    } else {
      const named = typeof target === 'string' ? { name: target, node: this.name } : target;
      if (!isNameAtNode(named)) throw new InvalidArgumentError('monitor target', 'expected a Pid, a name or { name, node }');
      reported = { name: named.name, node: named.node };
      if (named.node !== this.name) {
        const entry = this.remote.monitor(p, ref, named.node, named.name, reported);
        if (entry !== null) this.addMonitor(p, entry);
        return ref;
      }
      q = this.names.get(named.name);
    }
    if (q === undefined || (q.flags & F_EXITED) !== 0) {
      p.deliver({ signal: 'DOWN', ref, target: reported, reason: ExitReasons.noproc });
      return ref;
    }
    this.addMonitor(p, { ref, target: reported, local: q, remoteNode: null });
    (q.monitoredBy ??= new Map()).set(ref.key, { ref, watcher: p.self, target: reported });
    return ref;
  }

  private addMonitor(p: Proc, entry: MonitorOut): void {
    (p.monitors ??= new Map()).set(entry.ref.key, entry);
  }

  demonitor(p: Proc, ref: Ref, flush: boolean): boolean {
    const entry = p.monitors?.get(ref.key);
    if (entry !== undefined) {
      p.monitors!.delete(ref.key);
      if (entry.local !== null) entry.local.monitoredBy?.delete(ref.key);
      else this.remote.demonitor(p, entry);
    }
    if (flush) removeDown(p, ref.key);
    return entry !== undefined;
  }

  // ---- names ----

  register(name: string, p: Proc): void {
    if (typeof name !== 'string' || !NAME.test(name)) throw new InvalidArgumentError('name', `"${String(name)}" is not a valid name`);
    if ((p.flags & F_DEAD) !== 0) throw new NoProcError(p.self.toString());
    const holder = this.names.get(name);
    if (holder !== undefined) throw new NameTakenError(name, holder.self.toString());
    if (p.name !== undefined) throw new AlreadyRegisteredError(p.self.toString(), p.name);
    this.names.set(name, p);
    p.name = name;
  }

  unregister(name: string): boolean {
    const p = this.names.get(name);
    if (p === undefined) return false;
    this.names.delete(name);
    p.name = undefined;
    return true;
  }

  whereis(name: string): Pid | undefined {
    return this.names.get(name)?.self;
  }

  // ---- node monitoring ----

  monitorNodes(p: Proc, on: boolean, hidden: boolean): void {
    if (on && (p.flags & F_DEAD) === 0) {
      p.flags = (p.flags | F_MONNODES) & ~F_MONHIDDEN;
      if (hidden) p.flags |= F_MONHIDDEN;
      this.nodeWatchers.add(p);
    } else {
      p.flags &= ~(F_MONNODES | F_MONHIDDEN);
      this.nodeWatchers.delete(p);
    }
  }

  /** Tell node-monitoring processes about a nodeup/nodedown. */
  notifyNodeWatchers(signal: 'nodeup' | 'nodedown', node: string, hidden: boolean): void {
    for (const p of this.nodeWatchers) {
      if (!hidden || (p.flags & F_MONHIDDEN) !== 0) p.deliver({ signal, node });
    }
  }
}
