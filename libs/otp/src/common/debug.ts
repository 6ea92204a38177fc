import type {
  CallOptions,
  DemonitorOptions,
  Destination,
  Matcher,
  MonitorNodesOptions,
  MonitorTarget,
  ProcessContext,
  ProcessType,
  ReceiveOptions,
  RemoteSpawnOptions,
  SpawnFnOptions,
  AsyncBody,
  CallFrom,
  CoreLogger,
  Node,
  TimerRef,
} from '@sdnode/core';
import { Pid, type ExitReason, type Ref } from '@sdnode/wire';

/**
 * What a traced behaviour process reports: every message it takes in, every message it sends
 * (replies included), and every change of its state.
 */
export type TraceEvent =
  | { readonly kind: 'in'; readonly pid: Pid; readonly time: number; readonly msg: unknown }
  | { readonly kind: 'out'; readonly pid: Pid; readonly time: number; readonly to: Destination; readonly msg: unknown }
  | { readonly kind: 'state'; readonly pid: Pid; readonly time: number; readonly state: unknown; readonly previous: unknown };

/** Where trace events go: a function (local processes only) or a pid that receives `{ $trace: event }`. */
export type TraceSink = ((event: TraceEvent) => void) | Pid;

/** Counters kept while statistics are on (Erlang's sys:statistics). */
export interface Statistics {
  /** When statistics were switched on (ms since the epoch). */
  readonly since: number;
  readonly now: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Callbacks run (the nearest thing to Erlang's reductions). */
  readonly callbacks: number;
}

/**
 * The debug state of one behaviour process: absent (null on the process) while neither tracing
 * nor statistics are on, so an undebugged process pays one null check per message.
 */
export class Debug {
  trace: TraceSink | null = null;
  since = 0;
  stats = false;
  messagesIn = 0;
  messagesOut = 0;
  callbacks = 0;
  private wrapped: DebugContext | null = null;

  constructor(private readonly ctx: ProcessContext) {}

  get idle(): boolean {
    return this.trace === null && !this.stats;
  }

  /** The context handed to callbacks while debugging: it reports their sends. */
  get context(): ProcessContext {
    return (this.wrapped ??= new DebugContext(this.ctx, this));
  }

  setStatistics(on: boolean): void {
    this.stats = on;
    this.since = on ? Date.now() : 0;
    this.messagesIn = 0;
    this.messagesOut = 0;
    this.callbacks = 0;
  }

  statistics(): Statistics | null {
    if (!this.stats) return null;
    return { since: this.since, now: Date.now(), messagesIn: this.messagesIn, messagesOut: this.messagesOut, callbacks: this.callbacks };
  }

  in(msg: unknown): void {
    if (this.stats) this.messagesIn++;
    if (this.trace !== null) this.emit({ kind: 'in', pid: this.ctx.self, time: Date.now(), msg });
  }

  out(to: Destination, msg: unknown): void {
    if (this.stats) this.messagesOut++;
    if (this.trace !== null) this.emit({ kind: 'out', pid: this.ctx.self, time: Date.now(), to, msg });
  }

  callback(): void {
    if (this.stats) this.callbacks++;
  }

  state(state: unknown, previous: unknown): void {
    if (this.trace !== null && state !== previous) this.emit({ kind: 'state', pid: this.ctx.self, time: Date.now(), state, previous });
  }

  private emit(event: TraceEvent): void {
    const sink = this.trace;
    try {
      if (sink instanceof Pid) {
        if (!sink.equals(this.ctx.self)) this.ctx.send(sink, { $trace: event });
      } else if (sink !== null) {
        sink(event);
      }
    } catch (e) {
      // A trace sink never takes the traced process down (an unencodable message, a throwing hook).
      this.ctx.log.warn({ err: e }, 'trace sink failed');
    }
  }
}

/**
 * A ProcessContext that reports what the callbacks send (send, reply, call, cast through send)
 * to the Debug state, and otherwise acts as the process itself.
 */
export class DebugContext implements ProcessContext {
  constructor(
    private readonly inner: ProcessContext,
    private readonly debug: Debug,
  ) {}

  get self(): Pid {
    return this.inner.self;
  }
  get node(): Node {
    return this.inner.node;
  }
  get log(): CoreLogger {
    return this.inner.log;
  }

  send(to: Destination, msg: unknown): void {
    this.debug.out(to, msg);
    this.inner.send(to, msg);
  }
  receive<T = unknown, U = never>(matcher?: Matcher<T>, options?: ReceiveOptions<U>): Promise<T | U> {
    return this.inner.receive(matcher, options);
  }
  link(pid: Pid): void {
    this.inner.link(pid);
  }
  unlink(pid: Pid): void {
    this.inner.unlink(pid);
  }
  monitor(target: MonitorTarget): Ref {
    return this.inner.monitor(target);
  }
  demonitor(ref: Ref, options?: DemonitorOptions): boolean {
    return this.inner.demonitor(ref, options);
  }
  trapExit(on: boolean): void {
    this.inner.trapExit(on);
  }
  exit(reason: ExitReason): never;
  exit(pid: Pid, reason: ExitReason): void;
  exit(a: ExitReason | Pid, b?: ExitReason): void {
    if (a instanceof Pid) this.inner.exit(a, b as ExitReason);
    else this.inner.exit(a);
  }
  spawn<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): Pid {
    return this.inner.spawn(type, ...args);
  }
  spawnLink<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): Pid {
    return this.inner.spawnLink(type, ...args);
  }
  spawnMonitor<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): { pid: Pid; ref: Ref } {
    return this.inner.spawnMonitor(type, ...args);
  }
  spawnFn(fn: AsyncBody<[]>, options?: SpawnFnOptions): Pid {
    return this.inner.spawnFn(fn, options);
  }
  spawnRemote(node: string, type: string, args: readonly unknown[], options: RemoteSpawnOptions & { readonly monitor: true }): Promise<{ pid: Pid; ref: Ref }>;
  spawnRemote(node: string, type: string, args: readonly unknown[], options?: RemoteSpawnOptions): Promise<Pid>;
  spawnRemote(node: string, type: string, args: readonly unknown[], options?: RemoteSpawnOptions): Promise<Pid | { pid: Pid; ref: Ref }> {
    return this.inner.spawnRemote(node, type, args, options);
  }
  register(name: string): void {
    this.inner.register(name);
  }
  whereis(name: string): Pid | undefined {
    return this.inner.whereis(name);
  }
  sendAfter(ms: number, to: Destination, msg: unknown): TimerRef {
    return this.inner.sendAfter(ms, to, msg);
  }
  cancelTimer(timer: TimerRef): boolean {
    return this.inner.cancelTimer(timer);
  }
  call<T = unknown>(to: Destination, request: unknown, options?: CallOptions): Promise<T> {
    this.debug.out(to, request);
    return this.inner.call<T>(to, request, options);
  }
  reply(from: CallFrom, value: unknown): void {
    this.debug.out(from.from, value);
    this.inner.reply(from, value);
  }
  monitorNodes(on: boolean, options?: MonitorNodesOptions): void {
    this.inner.monitorNodes(on, options);
  }
}
