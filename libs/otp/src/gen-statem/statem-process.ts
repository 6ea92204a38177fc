import { isCallMessage, isExitMessage, type CallFrom, type ProcessContext } from '@sdnode/core';
import { BadReturnError, CodeChangeError, ExitReasons, InvalidArgumentError, UnknownRequestError, type ExitReason, type Pid } from '@sdnode/wire';
import { StagedCodeChange } from '../common/staged-code-change.js';
import { andThen, isThenable, type MaybePromise } from '../common/async.js';
import type { Debug } from '../common/debug.js';
import { isCastMessage, isSysRequest, TimerTick } from '../common/messages.js';
import { isOtpType, type BehaviourName } from '../common/otp-type.js';
import { acknowledge, beginInit, guardInit, parentOf, type StartInfo } from '../common/start.js';
import { debugFromStart, handleSys, type SysHost } from '../common/sys.js';
import { StatemTimers } from './statem-timers.js';
import { parseTransition, sameState, type ParsedTransition } from './statem-transition.js';
import type { StatemEvent } from './types.js';

type Fn = (env: unknown, event: StatemEvent) => unknown;

/** The callbacks as the generic part sees them (their types are checked at definition). */
export interface LooseStatemCallbacks {
  init(ctx: ProcessContext, ...args: unknown[]): unknown;
  readonly states?: Readonly<Record<string, Fn>>;
  readonly handleEvent?: Fn;
  readonly stateEnter?: boolean;
  terminate?(env: unknown, reason: ExitReason): unknown;
  codeChange?(env: unknown, oldVsn: string | number | undefined, extra: unknown): unknown;
}

export interface LooseStatemType {
  readonly name: string;
  readonly otp: BehaviourName;
  readonly vsn: string | number | undefined;
  readonly callbacks: LooseStatemCallbacks;
}

function show(value: unknown): string {
  try {
    return (typeof value === 'string' ? value : JSON.stringify(value)) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The generic part of a state machine (gen_statem's loop). Each message becomes an event; an
 * event runs the state callback, whose transition is carried out: replies, the new state and
 * data, postponing, inserted events, timeouts, the enter call. Inserted events and events
 * postponed until a state change are handled before the next message.
 */
/** What a code change switches a state machine to. */
interface StatemChange {
  readonly type: LooseStatemType;
  readonly state: unknown;
  readonly data: unknown;
}

export class StatemProcess implements SysHost {
  type: LooseStatemType;
  impl: LooseStatemCallbacks;
  state: unknown = undefined;
  data: unknown = undefined;
  readonly parent: Pid | null;
  debug: Debug | null;
  suspended = false;
  terminated = false;
  private deferred: unknown[] | null = null;
  /** A code change prepared (while suspended) and not yet committed. */
  readonly codeChange = new StagedCodeChange<LooseStatemType, StatemChange>(
    () => this.type,
    (to, extra) => this.convert(to, extra),
    (change) => this.adopt(change),
  );
  private postponed: StatemEvent[] = [];
  private readonly timers: StatemTimers;
  private pendingEventTimeout: { readonly ms: number; readonly content: unknown } | null = null;

  private constructor(
    readonly ctx: ProcessContext,
    type: LooseStatemType,
    info: StartInfo | null,
  ) {
    this.type = type;
    this.impl = type.callbacks;
    this.parent = parentOf(info);
    this.debug = debugFromStart(ctx, info?.debug);
    this.timers = new StatemTimers(ctx);
  }

  static init(type: LooseStatemType, ctx: ProcessContext, raw: readonly unknown[]): MaybePromise<StatemProcess> {
    return andThen(beginInit(ctx, raw), ({ info, args }) => StatemProcess.initWith(type, ctx, info, args));
  }

  private static initWith(type: LooseStatemType, ctx: ProcessContext, info: StartInfo | null, args: unknown[]): MaybePromise<StatemProcess> {
    const w = new StatemProcess(ctx, type, info);
    const result = guardInit(ctx, info, () => andThen(type.callbacks.init(w.cx, ...args), (r) => w.initResult(r)));
    return andThen(result, (t) => {
      if (t === 'ignore') {
        acknowledge(ctx, info, 'ignore');
        ctx.exit(ExitReasons.normal);
      }
      acknowledge(ctx, info, 'ok');
      const queue: StatemEvent[] = [];
      const entered = andThen(w.apply(t, null, queue, 'init'), () => (w.impl.stateEnter === true ? w.enter(w.state, queue) : undefined));
      return andThen(
        andThen(entered, () => w.run(queue)),
        () => w,
      );
    });
  }

  get behaviourName(): BehaviourName {
    return this.type.otp;
  }
  get typeName(): string {
    return this.type.name;
  }
  get vsn(): string | number | undefined {
    return this.type.vsn;
  }
  get cx(): ProcessContext {
    return this.debug === null ? this.ctx : this.debug.context;
  }

  private initResult(r: unknown): ParsedTransition | 'ignore' {
    if (typeof r === 'object' && r !== null) {
      if ('stop' in r) this.ctx.exit((r as { stop: ExitReason }).stop);
      if ((r as { ignore?: unknown }).ignore === true) return 'ignore';
    }
    if (typeof r !== 'object' || r === null || !('state' in r) || !('data' in r)) throw new BadReturnError('init', show(r));
    return parseTransition(r, 'init', 'init');
  }

  handle(msg: unknown): MaybePromise<void> {
    if (this.debug !== null) this.debug.in(msg);
    return this.step(msg);
  }

  private step(msg: unknown): MaybePromise<void> {
    if (isCallMessage(msg) && isSysRequest(msg.request)) return handleSys(this, this.ctx, msg, msg.request);
    if (this.suspended) {
      (this.deferred ??= []).push(msg);
      return;
    }
    let event: StatemEvent | null;
    if (msg instanceof TimerTick) event = this.timers.eventOf(msg);
    else if (isCallMessage(msg)) event = { type: 'call', from: msg, content: msg.request };
    else if (isCastMessage(msg)) event = { type: 'cast', content: msg.$cast };
    else if (this.parent !== null && isExitMessage(msg) && msg.from.equals(this.parent)) return this.stop(msg.reason);
    else event = { type: 'info', content: msg };
    if (event === null) return; // a stale timeout
    return this.run([event]);
  }

  /** Handle `queue` (the event taken from the mailbox, then inserted and retried events) to the end. */
  private run(queue: StatemEvent[]): MaybePromise<void> {
    while (queue.length > 0) {
      const event = queue.shift()!;
      // Any event cancels the event timeout, and one asked for while events were queued.
      this.timers.cancelEvent();
      this.pendingEventTimeout = null;
      const where = this.where();
      const r = this.callback(event);
      const done = isThenable(r)
        ? (r as Promise<unknown>).then((x) => this.apply(parseTransition(x, where, 'event'), event, queue, 'event'))
        : this.apply(parseTransition(r, where, 'event'), event, queue, 'event');
      if (isThenable(done)) return (done as Promise<void>).then(() => this.run(queue));
    }
    const pending = this.pendingEventTimeout;
    this.pendingEventTimeout = null;
    if (pending !== null) this.timers.setEvent(pending.ms, pending.content);
  }

  private where(): string {
    return this.impl.handleEvent !== undefined ? 'handleEvent' : `state function ${show(this.state)}`;
  }

  private callback(event: StatemEvent): unknown {
    this.debug?.callback();
    const env = { ctx: this.cx, state: this.state, data: this.data };
    const impl = this.impl;
    if (impl.handleEvent !== undefined) return impl.handleEvent(env, event);
    const states = impl.states!;
    const f = typeof this.state === 'string' && Object.hasOwn(states, this.state) ? states[this.state] : undefined;
    if (typeof f !== 'function') throw new UnknownRequestError(this.type.name, `${event.type} event in state ${show(this.state)} (no state function)`);
    return f(env, event);
  }

  /** Carry out a transition made for `event` (null for init and enter calls). */
  private apply(t: ParsedTransition, event: StatemEvent | null, queue: StatemEvent[], context: 'event' | 'enter' | 'init'): MaybePromise<void> {
    if (t.hasData) this.setData(t.data);
    for (const r of t.replies) this.reply(r.to, r.value);
    if (t.kind === 'stop') return this.stop(t.reason!);
    const old = this.state;
    let changed = false;
    if (context === 'init') {
      this.setState(t.state);
    } else if (t.kind === 'next') {
      changed = !sameState(t.state, old);
      if (changed && context === 'enter') throw new BadReturnError(`${this.where()} (enter)`, 'a state enter call cannot change the state');
      this.setState(t.state);
    }
    if (t.postpone && event !== null) this.postponed.push(event);
    for (const g of t.generic) this.timers.setGeneric(g.name, g.ms, g.content);
    if (changed) {
      if (t.stateTimeout === null) this.timers.cancelState();
      if (this.postponed.length > 0) {
        queue.unshift(...this.postponed);
        this.postponed = [];
      }
    }
    if (t.stateTimeout !== null) this.timers.setState(t.stateTimeout.ms, t.stateTimeout.content);
    if (t.inserted.length > 0) queue.unshift(...t.inserted);
    if (t.eventTimeout !== null) this.pendingEventTimeout = t.eventTimeout;
    if (context !== 'init' && this.impl.stateEnter === true && (changed || t.kind === 'repeat')) return this.enter(old, queue);
  }

  private enter(oldState: unknown, queue: StatemEvent[]): MaybePromise<void> {
    const where = `${this.where()} (enter)`;
    return andThen(this.callback({ type: 'enter', oldState }), (r) => this.apply(parseTransition(r, where, 'enter'), null, queue, 'enter'));
  }

  private setState(state: unknown): void {
    if (this.debug !== null) this.debug.state(state, this.state);
    this.state = state;
  }

  private setData(data: unknown): void {
    this.data = data;
  }

  private reply(to: CallFrom, value: unknown): void {
    if (this.debug !== null) this.debug.out(to.from, value);
    this.ctx.reply(to, value);
  }

  stop(reason: ExitReason): MaybePromise<void> {
    this.terminated = true;
    this.timers.cancelAll();
    return andThen(this.runTerminate(reason), () => {
      this.ctx.exit(reason);
    });
  }

  private runTerminate(reason: ExitReason): void | Promise<void> {
    const f = this.impl.terminate;
    if (f === undefined) return;
    this.debug?.callback();
    return f.call(this.impl, { ctx: this.cx, state: this.state, data: this.data }, reason) as void | Promise<void>;
  }

  terminateFromCore(reason: ExitReason): void | Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    return this.runTerminate(reason);
  }

  // ---- system requests ----

  sysGetState(): unknown {
    return { state: this.state, data: this.data };
  }

  sysStatusState(): unknown {
    return this.sysGetState();
  }

  sysReplaceState(fn: (s: unknown) => unknown): unknown {
    const next = fn({ state: this.state, data: this.data }) as { state?: unknown; data?: unknown };
    if (typeof next !== 'object' || next === null || !('state' in next) || !('data' in next)) {
      throw new InvalidArgumentError('replaceState', 'a state machine state is { state, data }');
    }
    this.setState(next.state);
    this.setData(next.data);
    return next;
  }

  /** Run `to`'s codeChange on the current state and data: what to switch to (nothing changes yet). */
  private convert(to: unknown, extra: unknown): MaybePromise<StatemChange> {
    if (!isOtpType(to) || to.otp !== 'gen_statem') throw new InvalidArgumentError('change_code', 'the new implementation is not a gen_statem type');
    const next = to as unknown as LooseStatemType;
    const convert = next.callbacks.codeChange;
    const env = { ctx: this.cx, state: this.state, data: this.data };
    const r = convert === undefined ? { state: this.state, data: this.data } : convert.call(next.callbacks, env, this.type.vsn, extra);
    return andThen(r, (x) => {
      if (typeof x !== 'object' || x === null) throw new BadReturnError('codeChange', show(x));
      if ('error' in x) throw new CodeChangeError(this.ctx.self.toString(), (x as { error: unknown }).error);
      if (!('state' in x) || !('data' in x)) throw new BadReturnError('codeChange', show(x));
      return { type: next, state: (x as { state: unknown }).state, data: (x as { data: unknown }).data };
    });
  }

  private adopt(change: StatemChange): void {
    this.type = change.type;
    this.impl = change.type.callbacks;
    this.setState(change.state);
    this.setData(change.data);
  }

  sysTerminate(reason: ExitReason): MaybePromise<void> {
    return this.stop(reason);
  }

  sysResumed(): MaybePromise<void> {
    const q = this.deferred;
    if (q === null) return;
    this.deferred = null;
    return this.drain(q, 0);
  }

  private drain(q: unknown[], from: number): MaybePromise<void> {
    for (let i = from; i < q.length; i++) {
      const r = this.step(q[i]);
      if (isThenable(r)) return (r as Promise<void>).then(() => this.drain(q, i + 1));
    }
    return undefined;
  }
}
