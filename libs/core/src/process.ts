import type { CallMonitor } from './call-monitor.js';
import { ExitReasons, InvalidArgumentError, Pid, type ExitReason, type Ref } from '@sdnode/wire';
import type { Schedulable } from './scheduler.js';
import type { Kernel } from './kernel.js';
import type { ProcessType, AsyncBody } from './process-type.js';
import type {
  CallOptions,
  DemonitorOptions,
  Matcher,
  MonitorNodesOptions,
  ProcessContext,
  ReceiveOptions,
  RemoteSpawnOptions,
  SpawnFnOptions,
} from './process-context.js';
import type { CallFrom, Destination, MonitorTarget, NameAtNode } from './signals.js';
import { cancelTimer, startTimer, type TimerRef } from './timers.js';
import type { CoreLogger } from './logger.js';
import type { Node } from './node.js';
import { callAs } from './call.js';
import { F_ASYNC, F_BUSY, F_DEAD, F_EXITED, F_STARTED, F_TRAP } from './process-flags.js';
import {
  MAILBOX_SEGMENT,
  headSegmentDone,
  pushOverflow,
  receive,
  removeMessages,
  runPendingReceive,
  type PendingReceive,
} from './selective-receive.js';

/** Thrown by `ctx.exit(reason)` to unwind the process's code; the runtime recognises it. */
export class ProcessExit {
  constructor(readonly reason: ExitReason) {}
}

/** A monitor this process holds (it is the watcher). */
export interface MonitorOut {
  readonly ref: Ref;
  /** What the watcher asked for; reported as `target` in DOWN. */
  readonly target: Pid | NameAtNode;
  /** The local process watched, when local and resolved. */
  readonly local: Proc | null;
  /** The remote node, when the target is remote. */
  readonly remoteNode: string | null;
}

/** A monitor on this process (it is the target). */
export interface MonitorIn {
  readonly ref: Ref;
  readonly watcher: Pid;
  /** As the watcher named the target: a pid, or a registered name. */
  readonly target: Pid | NameAtNode;
}

/**
 * A process. It is also the ProcessContext handed to user code: the methods live on the shared
 * prototype, so a process costs its fields only (no closures per process). Fields holding
 * collections stay null until first used.
 */
export class Proc implements Schedulable, ProcessContext {
  queued = false;
  flags: number;
  /**
   * Mailbox: the head segment `mq` (messages before `mh` are consumed) and, once it holds
   * MAILBOX_SEGMENT messages, further segments in `mo`. Segments keep a flooded mailbox from being
   * one huge array (costly to grow, and slow for the garbage collector).
   */
  mq: unknown[] | null = null;
  mh = 0;
  mo: unknown[][] | null = null;
  state: unknown = undefined;
  args: readonly unknown[] | null;
  rx: PendingReceive | null = null;
  links: Map<string, Pid> | null = null;
  monitors: Map<string, MonitorOut> | null = null;
  monitoredBy: Map<string, MonitorIn> | null = null;
  timers: Set<TimerRef> | null = null;
  /**
   * The refs of calls in flight (replies to other refs are discarded): the usual single call's in
   * `callRef`, the keys of further concurrent ones in `calls` (a Set emptied after every call
   * would reallocate its table each time; comparing refs field by field spares building the key
   * string of every decoded reply's ref).
   */
  callRef: Ref | null = null;
  calls: Set<string> | null = null;
  /** Its single call in flight and the monitor slot of remote calls (call-monitor.ts), made on its first call. */
  callMon: CallMonitor | null = null;
  name: string | undefined = undefined;
  reason: ExitReason | null = null;
  /** Told once when the process has exited (used by node.run and remote spawns). */
  exitHook: ((reason: ExitReason) => void) | null = null;
  private logger: CoreLogger | null = null;

  constructor(
    readonly k: Kernel,
    readonly self: Pid,
    readonly type: ProcessType | null,
    readonly body: AsyncBody<unknown[]> | null,
    args: readonly unknown[],
  ) {
    this.flags = type !== null && type.behaviour !== null ? 0 : F_ASYNC;
    this.args = args;
  }

  get node(): Node {
    return this.k.node;
  }

  get log(): CoreLogger {
    return (this.logger ??= this.k.logger.child({ pid: this.self.toString() }));
  }

  get alive(): boolean {
    return (this.flags & F_DEAD) === 0;
  }

  // ---- mailbox ----

  /** Put a message in the mailbox (the hot path of every local send). */
  deliver(msg: unknown): void {
    if ((this.flags & F_DEAD) !== 0) return;
    if (typeof msg === 'object' && msg !== null && (msg as { signal?: unknown }).signal === 'reply' && !this.expectsReply(msg)) {
      return;
    }
    const q = this.mq;
    if (q === null) this.mq = [msg];
    else if (this.mo === null && q.length < MAILBOX_SEGMENT) q.push(msg);
    else pushOverflow(this, msg);
    if (!this.queued && (this.rx !== null || (this.flags & (F_BUSY | F_ASYNC)) === 0)) this.k.scheduler.enqueue(this);
  }

  private expectsReply(msg: object): boolean {
    const ref = (msg as { ref?: { key?: unknown } }).ref;
    if (typeof ref !== 'object' || ref === null) return false;
    if (this.callRef !== null && this.callRef.equals(ref)) return true;
    return this.calls !== null && this.calls.has(ref.key as string);
  }

  /** Remove every message `pred` accepts (used by demonitor flush). */
  removeWhere(pred: (m: unknown) => boolean): void {
    removeMessages(this, pred);
  }

  receive<T = unknown, U = never>(matcher?: Matcher<T>, options?: ReceiveOptions<U>): Promise<T | U> {
    return receive(this, matcher, options);
  }

  get queueLength(): number {
    if (this.mq === null) return 0;
    let n = this.mq.length - this.mh;
    if (this.mo !== null) for (const seg of this.mo) n += seg.length;
    return n;
  }

  // ---- scheduling ----

  /** Run up to `budget` messages; returns the work done. Called by the scheduler only. */
  run(budget: number): number {
    let flags = this.flags;
    if ((flags & F_DEAD) !== 0) return 0;
    if ((flags & F_STARTED) === 0) {
      this.start();
      return 1;
    }
    const rx = this.rx;
    if (rx !== null) return runPendingReceive(this, rx);
    if ((flags & (F_BUSY | F_ASYNC)) !== 0) return 0;
    const beh = this.type!.behaviour!;
    let n = 0;
    while (n < budget) {
      const q = this.mq;
      if (q === null) break;
      const i = this.mh;
      if (i >= q.length) break;
      const msg = q[i];
      q[i] = undefined;
      if (i + 1 === q.length) headSegmentDone(this, q);
      else this.mh = i + 1;
      n++;
      let r: unknown;
      try {
        r = beh.handle(this, msg, this.state);
      } catch (e) {
        this.crash(e);
        return n;
      }
      flags = this.flags;
      if ((flags & F_DEAD) !== 0) return n;
      if (typeof r === 'object' && r !== null && typeof (r as { then?: unknown }).then === 'function') {
        this.flags = flags | F_BUSY;
        this.k.awaitState(this, r as PromiseLike<unknown>);
        return n;
      }
      this.state = r;
      if (this.rx !== null) return n;
    }
    if (this.mh > 1024 && this.mq !== null && this.mh * 2 > this.mq.length) {
      this.mq.splice(0, this.mh);
      this.mh = 0;
    }
    if (this.queueLength > 0 && !this.queued) this.k.scheduler.enqueue(this);
    return n;
  }

  private start(): void {
    this.flags |= F_STARTED;
    const args = this.args ?? [];
    this.args = null;
    this.k.startProcess(this, args);
  }

  /** The process's code threw (or rejected) `e`. */
  crash(e: unknown): void {
    if (e instanceof ProcessExit) this.k.die(this, e.reason);
    else this.k.die(this, ExitReasons.error(e));
  }

  /** Drop the pending receive without settling it (the process exited). */
  dropReceive(): void {
    const rx = this.rx;
    if (rx === null) return;
    this.rx = null;
    rx.clear();
  }

  // ---- ProcessContext ----

  send(to: Destination, msg: unknown): void {
    if ((this.flags & F_EXITED) !== 0) return;
    this.k.send(to, msg, this.self);
  }

  sendQuietly(to: Destination, msg: unknown): void {
    if ((this.flags & F_EXITED) !== 0) return;
    this.k.sendQuietly(to, msg, this.self);
  }

  link(pid: Pid): void {
    if ((this.flags & F_DEAD) === 0) this.k.link(this, pid);
  }

  unlink(pid: Pid): void {
    if ((this.flags & F_DEAD) === 0) this.k.unlink(this, pid);
  }

  monitor(target: MonitorTarget): Ref {
    return this.k.monitor(this, target);
  }

  demonitor(ref: Ref, options?: DemonitorOptions): boolean {
    return this.k.demonitor(this, ref, options?.flush === true);
  }

  trapExit(on: boolean): void {
    this.flags = on ? this.flags | F_TRAP : this.flags & ~F_TRAP;
  }

  get trapsExits(): boolean {
    return (this.flags & F_TRAP) !== 0;
  }

  exit(reason: ExitReason): never;
  exit(pid: Pid, reason: ExitReason): void;
  exit(a: ExitReason | Pid, b?: ExitReason): void {
    if (a instanceof Pid) {
      if (b === undefined) throw new InvalidArgumentError('reason', 'exit(pid, reason) needs a reason');
      this.k.exitSignal(this.self, a, b);
      return;
    }
    this.k.die(this, a);
    throw new ProcessExit(a);
  }

  spawn<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): Pid {
    return this.k.spawn(type, args, null).self;
  }

  spawnLink<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): Pid {
    return this.k.spawn(type, args, this, true).self;
  }

  spawnMonitor<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): { pid: Pid; ref: Ref } {
    const pid = this.k.spawn(type, args, null).self;
    return { pid, ref: this.monitor(pid) };
  }

  spawnFn(fn: AsyncBody<[]>, options?: SpawnFnOptions): Pid {
    return this.k.spawnBody(fn as AsyncBody<unknown[]>, options?.link === true ? this : null).self;
  }

  spawnRemote(node: string, type: string, args: readonly unknown[], options: RemoteSpawnOptions & { readonly monitor: true }): Promise<{ pid: Pid; ref: Ref }>;
  spawnRemote(node: string, type: string, args: readonly unknown[], options?: RemoteSpawnOptions): Promise<Pid>;
  async spawnRemote(node: string, type: string, args: readonly unknown[], options: RemoteSpawnOptions = {}): Promise<Pid | { pid: Pid; ref: Ref }> {
    if (options.monitor !== true) return this.k.spawnRemote(this, node, type, args, options, null);
    // The monitor is set up by the spawning node before the child runs (atomic, as Erlang's
    // spawn_request with `monitor`): its ref is made here and travels as the request's ref.
    const ref = this.k.makeRef();
    const pid = await this.k.spawnRemote(this, node, type, args, options, ref);
    return { pid, ref };
  }

  register(name: string): void {
    this.k.register(name, this);
  }

  whereis(name: string): Pid | undefined {
    return this.k.whereis(name);
  }

  sendAfter(ms: number, to: Destination, msg: unknown): TimerRef {
    return startTimer(this, ms, to, msg);
  }

  cancelTimer(timer: TimerRef): boolean {
    return timer.owner === this ? cancelTimer(timer) : false;
  }

  call<T = unknown>(to: Destination, request: unknown, options?: CallOptions): Promise<T> {
    return callAs(this, to, request, options) as Promise<T>;
  }

  reply(from: CallFrom, value: unknown): void {
    this.send(from.from, { signal: 'reply', ref: from.ref, value });
  }

  monitorNodes(on: boolean, options?: MonitorNodesOptions): void {
    this.k.monitorNodes(this, on, options?.hidden === true);
  }
}
