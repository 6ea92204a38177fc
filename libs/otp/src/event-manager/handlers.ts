import type { ProcessContext } from '@sdnode/core';
import {
  BadReturnError,
  ExitReasons,
  HandlerCrashError,
  HandlerExistsError,
  HandlerNotFoundError,
  InvalidArgumentError,
  StartError,
  type ExitReason,
  type Pid,
} from '@sdnode/wire';
import type { EventHandler, HandlerExitMessage, Swapped, SwapTo, TerminateReason } from './types.js';

/** A handler installed in a manager. */
export interface Installed {
  readonly id: string;
  handler: EventHandler;
  state: unknown;
  /** The supervising process (addSupHandler), told when the handler is removed. */
  readonly owner: Pid | null;
}

type Loose = {
  init(ctx: ProcessContext, args: unknown, swapped?: Swapped): unknown;
  handleEvent(env: unknown, event: unknown): unknown;
  handleCall?(env: unknown, request: unknown): unknown;
  handleInfo?(env: unknown, msg: unknown): unknown;
  terminate?(env: unknown, why: TerminateReason): unknown;
};

function show(value: unknown): string {
  try {
    return (typeof value === 'string' ? value : JSON.stringify(value)) ?? String(value);
  } catch {
    return String(value);
  }
}

function isHandler(value: unknown): value is EventHandler {
  return typeof value === 'object' && value !== null && typeof (value as EventHandler).name === 'string' && typeof (value as EventHandler).callbacks?.init === 'function';
}

/**
 * The handlers of one event manager, in the order they were added, and what runs them: every
 * callback runs guarded, so a handler that throws (or returns an illegal value) is removed and
 * reported — the manager lives on.
 */
export class HandlerSet {
  readonly list: Installed[] = [];

  constructor(
    private readonly ctx: ProcessContext,
    private readonly catalog: ReadonlyMap<string, EventHandler>,
  ) {}

  private get label(): string {
    return this.ctx.node.processInfo(this.ctx.self)?.name ?? this.ctx.self.toString();
  }

  find(id: string): Installed | undefined {
    return this.list.find((h) => h.id === id);
  }

  resolve(handler: EventHandler | string): EventHandler {
    if (typeof handler !== 'string') {
      if (!isHandler(handler)) throw new InvalidArgumentError('handler', 'not an event handler');
      return handler;
    }
    const known = this.catalog.get(handler);
    if (known === undefined) throw new HandlerNotFoundError(this.label, handler);
    return known;
  }

  /** Install a handler: its init must return `{ state }`. Throws HandlerExistsError, StartError. */
  async add(handler: EventHandler | string, args: unknown, id: string | undefined, owner: Pid | null, swapped?: Swapped, at = this.list.length): Promise<Installed> {
    const h = this.resolve(handler);
    const key = id ?? h.name;
    if (this.find(key) !== undefined) throw new HandlerExistsError(this.label, key);
    let r: unknown;
    try {
      r = await (h.callbacks as Loose).init(this.ctx, args, swapped);
    } catch (e) {
      throw new StartError(key, ExitReasons.error(e));
    }
    if (typeof r !== 'object' || r === null) throw new StartError(key, ExitReasons.error(new BadReturnError(`${key}.init`, show(r))));
    if ('error' in r) throw new StartError(key, (r as { error: unknown }).error);
    if (!('state' in r)) throw new StartError(key, ExitReasons.error(new BadReturnError(`${key}.init`, show(r))));
    const installed: Installed = { id: key, handler: h, state: (r as { state: unknown }).state, owner };
    this.list.splice(Math.min(at, this.list.length), 0, installed);
    if (owner !== null) this.ctx.link(owner);
    return installed;
  }

  /** Remove a handler: run its terminate (errors logged) and return its result. */
  async remove(h: Installed, why: TerminateReason, tellOwner: boolean): Promise<unknown> {
    const i = this.list.indexOf(h);
    if (i < 0) return undefined;
    this.list.splice(i, 1);
    let result: unknown;
    const terminate = (h.handler.callbacks as Loose).terminate;
    if (terminate !== undefined) {
      try {
        result = await terminate.call(h.handler.callbacks, this.env(h), why);
      } catch (e) {
        this.ctx.log.warn({ handler: h.id, err: e }, 'event handler terminate threw');
      }
    }
    if (h.owner !== null) {
      if (tellOwner) {
        const msg: HandlerExitMessage = { $handlerExit: h.id, manager: this.ctx.self, reason: why };
        this.ctx.send(h.owner, msg);
      }
      if (!this.list.some((x) => x.owner?.equals(h.owner) === true)) this.ctx.unlink(h.owner);
    }
    return result;
  }

  /** Replace `h` by the handler `swap` names, keeping its position. */
  async swap(h: Installed, swap: SwapTo): Promise<void> {
    const at = this.list.indexOf(h);
    const result = await this.remove(h, { kind: 'swap', args: swap.args }, false);
    await this.add(swap.to as EventHandler | string, swap.toArgs, swap.id, h.owner, { from: h.id, result }, at);
  }

  private env(h: Installed): { ctx: ProcessContext; state: unknown; id: string } {
    return { ctx: this.ctx, state: h.state, id: h.id };
  }

  /** A callback failed: remove the handler, report it (log; its owner, if any). */
  private async crashed(h: Installed, reason: ExitReason): Promise<void> {
    this.ctx.log.warn({ handler: h.id, reason }, 'event handler crashed and was removed');
    await this.remove(h, { kind: 'crash', reason }, true);
  }

  /**
   * Run one callback of `h` and carry out its result (new state, remove, swap). Returns the reply
   * for calls, or a HandlerCrashError when the handler crashed.
   */
  async run(h: Installed, callback: 'handleEvent' | 'handleCall' | 'handleInfo', arg: unknown): Promise<{ reply?: unknown; crash?: HandlerCrashError }> {
    const cb = h.handler.callbacks as Loose;
    const f = cb[callback];
    if (f === undefined) {
      if (callback === 'handleInfo') return {};
      const reason = ExitReasons.error(new BadReturnError(`${h.id}.${callback}`, 'the handler has no such callback'));
      await this.crashed(h, reason);
      return { crash: new HandlerCrashError(this.label, h.id, reason) };
    }
    let r: unknown;
    try {
      r = await f.call(cb, this.env(h), arg);
      if (typeof r !== 'object' || r === null) throw new BadReturnError(`${h.id}.${callback}`, show(r));
      if (callback === 'handleCall' && !('reply' in r)) throw new BadReturnError(`${h.id}.${callback}`, show(r));
    } catch (e) {
      const reason = ExitReasons.error(e);
      await this.crashed(h, reason);
      return { crash: new HandlerCrashError(this.label, h.id, reason) };
    }
    const res = r as { reply?: unknown; state?: unknown; remove?: unknown; swap?: SwapTo };
    const out = 'reply' in res ? { reply: res.reply } : {};
    if (res.remove === true) await this.remove(h, { kind: 'remove' }, true);
    else if (res.swap !== undefined) {
      if ('state' in res) h.state = res.state;
      try {
        await this.swap(h, res.swap);
      } catch (e) {
        this.ctx.log.warn({ handler: h.id, err: e }, 'event handler swap failed; the handler is removed');
      }
    } else if ('state' in res) h.state = res.state;
    else {
      const reason = ExitReasons.error(new BadReturnError(`${h.id}.${callback}`, show(r)));
      await this.crashed(h, reason);
      return { crash: new HandlerCrashError(this.label, h.id, reason) };
    }
    return out;
  }

  /** Give `arg` to every handler, in order (a snapshot: handlers added meanwhile do not get it). */
  async each(callback: 'handleEvent' | 'handleInfo', arg: unknown): Promise<void> {
    for (const h of [...this.list]) {
      if (this.list.includes(h)) await this.run(h, callback, arg);
    }
  }

  /**
   * Remove every handler (the manager stops: supervising processes are told), or every handler
   * supervised by `owner` (it exited: nobody to tell).
   */
  async removeAll(why: TerminateReason, owner?: Pid): Promise<void> {
    for (const h of [...this.list]) {
      if (owner === undefined) await this.remove(h, why, true);
      else if (h.owner?.equals(owner) === true) await this.remove(h, why, false);
    }
  }

  ids(): string[] {
    return this.list.map((h) => h.id);
  }
}
