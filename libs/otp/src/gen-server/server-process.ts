import { isCallMessage, isExitMessage, type CallFrom, type CallMessage, type ProcessContext, type TimerRef } from '@sdnode/core';
import { BadReturnError, CodeChangeError, ExitReasons, InvalidArgumentError, UnknownRequestError, type ExitReason, type Pid } from '@sdnode/wire';
import { StagedCodeChange } from '../common/staged-code-change.js';
import { andThen, isThenable, type MaybePromise } from '../common/async.js';
import type { Debug } from '../common/debug.js';
import { isCastMessage, isSysRequest, TimerTick } from '../common/messages.js';
import { isOtpType, type BehaviourName } from '../common/otp-type.js';
import { acknowledge, beginInit, guardInit, parentOf, type StartInfo } from '../common/start.js';
import { debugFromStart, handleSys, type SysHost } from '../common/sys.js';
import { TIMEOUT } from './types.js';

type Result = Record<string, unknown>;
type Handler = (env: unknown, ...args: unknown[]) => unknown;

/** The callbacks as the generic part sees them (their types are checked at definition). */
export interface LooseCallbacks {
  init(ctx: ProcessContext, ...args: unknown[]): unknown;
  readonly handleCall?: Readonly<Record<string, Handler>>;
  readonly handleCast?: Readonly<Record<string, Handler>>;
  handleInfo?(env: unknown, msg: unknown): unknown;
  handleContinue?(env: unknown, cont: unknown): unknown;
  terminate?(env: unknown, reason: ExitReason): unknown;
  codeChange?(env: unknown, oldVsn: string | number | undefined, extra: unknown): unknown;
  formatStatus?(state: unknown): unknown;
}

/** What the generic part needs of a server type. */
export interface LooseServerType {
  readonly name: string;
  readonly otp: BehaviourName;
  readonly vsn: string | number | undefined;
  readonly callbacks: LooseCallbacks;
}

/** A call or cast request: `{ op, args }`. */
export interface OpRequest {
  readonly op: string;
  readonly args: readonly unknown[];
}

function opRequest(value: unknown): OpRequest | null {
  if (typeof value !== 'object' || value === null) return null;
  const { op, args } = value as { op?: unknown; args?: unknown };
  return typeof op === 'string' && Array.isArray(args) ? { op, args } : null;
}

function isResult(value: unknown): value is Result {
  return typeof value === 'object' && value !== null;
}

function handlerOf(map: Readonly<Record<string, Handler>> | undefined, op: string): Handler | undefined {
  return map !== undefined && Object.hasOwn(map, op) && typeof map[op] === 'function' ? map[op] : undefined;
}

function show(value: unknown): string {
  try {
    const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
  } catch {
    return String(value);
  }
}

function badReturn(callback: string, value: unknown): BadReturnError {
  return new BadReturnError(callback, show(value));
}

/**
 * The generic part of a server (gen_server's loop): the state of the core process running a
 * GenServer type. It classifies each message (system request, call, cast, the timeout tick, the
 * parent's exit, anything else), runs the callback, and carries out what it returned. Callbacks
 * that return promises make the process busy until they settle; messages wait, in order.
 */
export class ServerProcess implements SysHost {
  type: LooseServerType;
  impl: LooseCallbacks;
  state: unknown = undefined;
  readonly parent: Pid | null;
  debug: Debug | null;
  suspended = false;
  /** terminate has run (or is running): the core's terminate hook must not run it again. */
  terminated = false;
  private deferred: unknown[] | null = null;
  /** A code change prepared (while suspended) and not yet committed. */
  readonly codeChange = new StagedCodeChange<LooseServerType, { type: LooseServerType; state: unknown }>(
    () => this.type,
    (to, extra) => this.convert(to, extra),
    (change) => this.adopt(change),
  );
  private timer: TimerRef | null = null;
  private tick: TimerTick | null = null;

  private constructor(
    readonly ctx: ProcessContext,
    type: LooseServerType,
    info: StartInfo | null,
  ) {
    this.type = type;
    this.impl = type.callbacks;
    this.parent = parentOf(info);
    this.debug = debugFromStart(ctx, info?.debug);
  }

  /** init of the core process: the start protocol, then the init callback. */
  static init(type: LooseServerType, ctx: ProcessContext, raw: readonly unknown[]): MaybePromise<ServerProcess> {
    return andThen(beginInit(ctx, raw), ({ info, args }) => ServerProcess.initWith(type, ctx, info, args));
  }

  private static initWith(type: LooseServerType, ctx: ProcessContext, info: StartInfo | null, args: unknown[]): MaybePromise<ServerProcess> {
    const w = new ServerProcess(ctx, type, info);
    const result = guardInit(ctx, info, () => andThen(type.callbacks.init(w.cx, ...args), (r) => w.initResult(r)));
    return andThen(result, (r) => {
      if (r === 'ignore') {
        acknowledge(ctx, info, 'ignore');
        ctx.exit(ExitReasons.normal);
      }
      acknowledge(ctx, info, 'ok');
      return andThen(w.next(r, 'init'), () => w);
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

  /** The context callbacks get: the process itself, or a tracing wrapper while debugging. */
  get cx(): ProcessContext {
    return this.debug === null ? this.ctx : this.debug.context;
  }

  /** One message from the mailbox. */
  handle(msg: unknown): MaybePromise<void> {
    if (this.debug !== null) this.debug.in(msg);
    return this.step(msg);
  }

  private step(msg: unknown): MaybePromise<void> {
    if (isCallMessage(msg)) {
      const req = msg.request;
      if (isSysRequest(req)) return handleSys(this, this.ctx, msg, req);
      if (this.suspended) return this.defer(msg);
      this.disarm();
      return this.onCall(msg, req);
    }
    if (this.suspended) return this.defer(msg);
    if (msg instanceof TimerTick) {
      if (msg !== this.tick) return; // a timer cancelled after it fired
      this.timer = null;
      this.tick = null;
      return this.onInfo(TIMEOUT);
    }
    this.disarm();
    if (isCastMessage(msg)) return this.onCast(msg.$cast);
    if (this.parent !== null && isExitMessage(msg) && msg.from.equals(this.parent)) return this.stop(msg.reason, null);
    return this.onInfo(msg);
  }

  private defer(msg: unknown): void {
    (this.deferred ??= []).push(msg);
  }

  // ---- dispatch ----

  private onCall(call: CallMessage, req: unknown): MaybePromise<void> {
    const op = opRequest(req);
    const h = op === null ? undefined : handlerOf(this.impl.handleCall, op.op);
    if (h === undefined) throw new UnknownRequestError(this.type.name, `call ${op?.op ?? show(req)}`);
    this.debug?.callback();
    const r = h({ ctx: this.cx, state: this.state, from: call }, ...op!.args);
    const where = `handleCall(${op!.op})`;
    return isThenable(r) ? (r as Promise<unknown>).then((x) => this.afterCall(x, call, where)) : this.afterCall(r, call, where);
  }

  private onCast(payload: unknown): MaybePromise<void> {
    const op = opRequest(payload);
    const h = op === null ? undefined : handlerOf(this.impl.handleCast, op.op);
    if (h === undefined) throw new UnknownRequestError(this.type.name, `cast ${op?.op ?? show(payload)}`);
    this.debug?.callback();
    const where = `handleCast(${op!.op})`;
    return andThen(h({ ctx: this.cx, state: this.state }, ...op!.args), (r) => this.afterNoReply(r, where));
  }

  private onInfo(msg: unknown): MaybePromise<void> {
    const h = this.impl.handleInfo;
    if (h === undefined) {
      this.ctx.log.warn({ msg: typeof msg === 'symbol' ? msg.toString() : msg }, `${this.type.name}: unexpected message (no handleInfo)`);
      return;
    }
    this.debug?.callback();
    return andThen(h.call(this.impl, { ctx: this.cx, state: this.state }, msg), (r) => this.afterNoReply(r, 'handleInfo'));
  }

  // ---- results ----

  /** Check init's result: stop exits here (inside the init guard, which reports the reason). */
  private initResult(r: unknown): Result | 'ignore' {
    if (!isResult(r)) throw badReturn('init', r);
    if ('stop' in r) this.ctx.exit(r['stop'] as ExitReason);
    if (r['ignore'] === true) return 'ignore';
    if (!('state' in r)) throw badReturn('init', r);
    this.state = r['state'];
    return r;
  }

  private afterCall(r: unknown, call: CallMessage, where: string): MaybePromise<void> {
    if (!isResult(r)) throw badReturn(where, r);
    if ('stop' in r) {
      if ('state' in r) this.setState(r['state']);
      return this.stop(r['stop'] as ExitReason, 'reply' in r ? { to: call, value: r['reply'] } : null);
    }
    if (!('state' in r)) throw badReturn(where, r);
    if ('reply' in r) {
      this.setState(r['state']);
      this.reply(call, r['reply']);
      return this.next(r, where);
    }
    if (r['noreply'] !== true) throw badReturn(where, r);
    this.setState(r['state']);
    return this.next(r, where);
  }

  private afterNoReply(r: unknown, where: string): MaybePromise<void> {
    if (!isResult(r)) throw badReturn(where, r);
    if ('stop' in r) {
      if ('state' in r) this.setState(r['state']);
      return this.stop(r['stop'] as ExitReason, null);
    }
    if (!('state' in r)) throw badReturn(where, r);
    this.setState(r['state']);
    return this.next(r, where);
  }

  /** What follows a callback: handleContinue, or arming the timeout. */
  private next(r: Result, where: string): MaybePromise<void> {
    const cont = r['continue'];
    if (cont !== undefined) {
      const h = this.impl.handleContinue;
      if (h === undefined) throw new BadReturnError(where, 'a continue term, but there is no handleContinue');
      this.debug?.callback();
      return andThen(h.call(this.impl, { ctx: this.cx, state: this.state }, cont), (x) => this.afterNoReply(x, 'handleContinue'));
    }
    const timeout = r['timeout'];
    if (timeout === undefined || timeout === Infinity) return;
    if (typeof timeout !== 'number' || !(timeout >= 0)) throw badReturn(where, r);
    this.tick = new TimerTick('timeout');
    this.timer = this.ctx.sendAfter(timeout, this.ctx.self, this.tick);
  }

  private disarm(): void {
    if (this.timer === null) return;
    this.ctx.cancelTimer(this.timer);
    this.timer = null;
    this.tick = null;
  }

  private setState(state: unknown): void {
    if (this.debug !== null) this.debug.state(state, this.state);
    this.state = state;
  }

  private reply(to: CallFrom, value: unknown): void {
    if (this.debug !== null) this.debug.out(to.from, value);
    this.ctx.reply(to, value);
  }

  // ---- stopping ----

  /** Run terminate (awaited when it returns a promise), send the pending reply, exit. */
  stop(reason: ExitReason, reply: { to: CallFrom; value: unknown } | null): MaybePromise<void> {
    this.terminated = true;
    this.disarm();
    return andThen(this.runTerminate(reason), () => {
      if (reply !== null) this.reply(reply.to, reply.value);
      this.ctx.exit(reason);
    });
  }

  private runTerminate(reason: ExitReason): void | Promise<void> {
    const f = this.impl.terminate;
    if (f === undefined) return;
    this.debug?.callback();
    return f.call(this.impl, { ctx: this.cx, state: this.state }, reason) as void | Promise<void>;
  }

  /**
   * The core's terminate hook: the process exits for a reason the generic part did not handle (a
   * crash, an exit signal it does not trap, the node stopping). terminate runs here, once; a
   * promise it returns is not awaited (the process is already gone).
   */
  terminateFromCore(reason: ExitReason): void | Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    return this.runTerminate(reason);
  }

  // ---- system requests ----

  sysGetState(): unknown {
    return this.state;
  }

  sysStatusState(): unknown {
    const f = this.impl.formatStatus;
    return f === undefined ? this.state : f.call(this.impl, this.state);
  }

  sysReplaceState(fn: (state: unknown) => unknown): unknown {
    const state = fn(this.state);
    this.setState(state);
    return state;
  }

  /** Run `to`'s codeChange on the current state: the implementation and state to switch to (nothing changes yet). */
  private convert(to: unknown, extra: unknown): MaybePromise<{ type: LooseServerType; state: unknown }> {
    if (!isOtpType(to) || to.otp !== this.type.otp || typeof (to as Partial<LooseServerType>).callbacks !== 'object') {
      throw new InvalidArgumentError('change_code', `the new implementation is not a ${this.type.otp} type`);
    }
    const next = to as unknown as LooseServerType;
    const convert = next.callbacks.codeChange;
    const r = convert === undefined ? { state: this.state } : convert.call(next.callbacks, { ctx: this.cx, state: this.state }, this.type.vsn, extra);
    return andThen(r, (x) => {
      if (!isResult(x)) throw badReturn('codeChange', x);
      if ('error' in x) throw new CodeChangeError(this.ctx.self.toString(), x['error']);
      if (!('state' in x)) throw badReturn('codeChange', x);
      return { type: next, state: x['state'] };
    });
  }

  private adopt(change: { type: LooseServerType; state: unknown }): void {
    this.type = change.type;
    this.impl = change.type.callbacks;
    this.setState(change.state);
  }

  sysTerminate(reason: ExitReason): MaybePromise<void> {
    return this.stop(reason, null);
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
