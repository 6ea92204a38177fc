import { defineProcess, type CallOptions, type CallbackBehaviour, type ProcessContext } from '@sdnode/core';
import { ExitReasons, InvalidArgumentError, type ExitReason, type Pid } from '@sdnode/wire';
import { isThenable } from '../common/async.js';
import { callFrom, sendQuietly, type Caller } from '../common/caller.js';
import type { Target } from '../common/names.js';
import { startProcess, type StartOptions } from '../common/start.js';
import { Sys, type SysOptions } from '../common/sys.js';
import type { From } from '../gen-server/types.js';
import { StatemProcess, type LooseStatemCallbacks, type LooseStatemType } from './statem-process.js';
import type { DefineStatemOptions, StatemArgs, StatemCallbacks, StatemSpec, StatemType } from './types.js';

function check(name: string, cb: LooseStatemCallbacks): void {
  if (typeof cb !== 'object' || cb === null || typeof cb.init !== 'function') throw new InvalidArgumentError('callbacks', `${name}: init is required`);
  const hasStates = cb.states !== undefined;
  const hasHandle = cb.handleEvent !== undefined;
  if (hasStates === hasHandle) throw new InvalidArgumentError('callbacks', `${name}: give either states (state functions) or handleEvent`);
  if (hasHandle && typeof cb.handleEvent !== 'function') throw new InvalidArgumentError('callbacks', `${name}: handleEvent is not a function`);
  if (hasStates) {
    for (const [state, f] of Object.entries(cb.states!)) {
      if (typeof f !== 'function') throw new InvalidArgumentError('callbacks', `${name}: state function ${state} is not a function`);
    }
  }
}

function define<S extends StatemSpec>(name: string, callbacks: StatemCallbacks<S>, options: DefineStatemOptions = {}): StatemType<S> {
  const loose = callbacks as unknown as LooseStatemCallbacks;
  check(name, loose);
  let self: LooseStatemType | null = null;
  const behaviour: CallbackBehaviour<StatemProcess, unknown[]> = {
    init: (ctx, ...raw) => StatemProcess.init(self!, ctx, raw),
    handle: (_ctx, msg, w) => {
      const r = w.handle(msg);
      return isThenable(r) ? (r as Promise<void>).then(() => w) : w;
    },
    terminate: (_ctx, reason, w) => w.terminateFromCore(reason) as void,
  };
  const base = defineProcess(name, behaviour);
  const type = Object.freeze({
    name: base.name,
    behaviour: base.behaviour!,
    body: null,
    otp: 'gen_statem' as const,
    vsn: options.vsn,
    callbacks,
    start: (caller: Caller, args: StatemArgs<S>, startOptions?: StartOptions): Promise<Pid> => startProcess(caller, type, args, startOptions),
    startLink: (caller: ProcessContext, args: StatemArgs<S>, startOptions: Omit<StartOptions, 'link'> = {}): Promise<Pid> =>
      startProcess(caller, type, args, { ...startOptions, link: true }),
  }) as unknown as StatemType<S>;
  self = type as unknown as LooseStatemType;
  return type;
}

/**
 * GenStatem: state machines (Erlang's gen_statem), in state-functions mode (`states`, one
 * function per state) or handle-event mode (`handleEvent`).
 *
 * | API | event the callback gets |
 * | --- | --- |
 * | `call(caller, machine, request)` | `{ type: 'call', from, content }`; answer with a `{ reply: from, value }` action |
 * | `cast(caller, machine, msg)` | `{ type: 'cast', content }` |
 * | any other message | `{ type: 'info', content }` |
 * | timeout actions expiring | `timeout`, `state_timeout`, `generic_timeout` |
 * | `nextEvent` action | `internal` (or the cast/info type given) |
 * | a state change with `stateEnter: true` | `{ type: 'enter', oldState }` |
 * | `stop`, a stop result, the parent's exit | `terminate` |
 * | `Sys.changeCode` | `codeChange` of the new type |
 */
export const GenStatem = {
  define,

  start<S>(caller: Caller, type: StatemType<S>, args: StatemArgs<S>, options?: StartOptions): Promise<Pid> {
    return startProcess(caller, type, args, options);
  },

  startLink<S>(ctx: ProcessContext, type: StatemType<S>, args: StatemArgs<S>, options: Omit<StartOptions, 'link'> = {}): Promise<Pid> {
    return startProcess(ctx, type, args, { ...options, link: true });
  },

  /** Send a call event and wait for the reply action (errors as GenServer.call). */
  call<R = unknown>(caller: Caller, machine: Target, request: unknown, options?: CallOptions): Promise<R> {
    return callFrom<R>(caller, machine, request, options);
  },

  /** Send a cast event; never fails. */
  cast(caller: Caller, machine: Target, msg: unknown): void {
    sendQuietly(caller, machine, { $cast: msg });
  },

  /** Answer a call outside a transition's actions. */
  reply<R>(ctx: ProcessContext, from: From<R>, value: R): void {
    ctx.reply(from, value);
  },

  stop(caller: Caller, machine: Target, reason: ExitReason = ExitReasons.normal, options?: SysOptions): Promise<void> {
    return Sys.terminate(caller, machine, reason, options);
  },
} as const;
