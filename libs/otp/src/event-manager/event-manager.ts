import { isExitMessage, type CallOptions, type ProcessContext } from '@sdnode/core';
import { ExitReasons, HandlerNotFoundError, type ExitReason, type Pid } from '@sdnode/wire';
import { callFrom, requireProcess, sendQuietly, type Caller } from '../common/caller.js';
import { unwrap, type Outcome } from '../common/messages.js';
import type { Target } from '../common/names.js';
import { startProcess, type StartOptions } from '../common/start.js';
import { Sys, type SysOptions } from '../common/sys.js';
import { defineServer } from '../gen-server/define.js';
import type { ServerPid, ServerType } from '../gen-server/types.js';
import { HandlerSet } from './handlers.js';
import type { AddHandlerOptions, EventHandler, HandlerCallbacks, SwapTo } from './types.js';

/** The manager's own server spec: its calls and casts are the EventManager API. */
export interface ManagerSpec {
  args: [];
  state: HandlerSet;
  calls: {
    add(handler: EventHandler | string, args: unknown, id: string | undefined, owner: Pid | null): Outcome<null>;
    remove(id: string, args: unknown): Outcome<unknown>;
    swap(id: string, swap: SwapTo): Outcome<null>;
    syncNotify(event: unknown): null;
    call(id: string, request: unknown): Outcome<unknown>;
    which(): string[];
  };
  casts: { notify(event: unknown): void };
}

export type ManagerType = ServerType<ManagerSpec>;

const fail = (e: unknown): Outcome<never> => ({ error: e instanceof Error ? e : new Error(String(e)) });

function defineManager(name: string, handlers: readonly EventHandler<any, any, any>[] = []): ManagerType {
  const catalog = new Map<string, EventHandler>(handlers.map((h) => [h.name, h as EventHandler]));
  return defineServer<ManagerSpec>(
    name,
    {
      init(ctx) {
        ctx.trapExit(true);
        return { state: new HandlerSet(ctx, catalog) };
      },
      handleCall: {
        async add({ state }, handler, args, id, owner) {
          try {
            await state.add(handler, args, id, owner);
            return { reply: { ok: null }, state };
          } catch (e) {
            return { reply: fail(e), state };
          }
        },
        async remove({ ctx, state }, id, args) {
          const h = state.find(id);
          if (h === undefined) return { reply: fail(new HandlerNotFoundError(ctx.self.toString(), id)), state };
          return { reply: { ok: await state.remove(h, { kind: 'delete', args }, false) }, state };
        },
        async swap({ ctx, state }, id, swap) {
          const h = state.find(id);
          if (h === undefined) return { reply: fail(new HandlerNotFoundError(ctx.self.toString(), id)), state };
          try {
            await state.swap(h, swap);
            return { reply: { ok: null }, state };
          } catch (e) {
            return { reply: fail(e), state };
          }
        },
        async syncNotify({ state }, event) {
          await state.each('handleEvent', event);
          return { reply: null, state };
        },
        async call({ ctx, state }, id, request) {
          const h = state.find(id);
          if (h === undefined) return { reply: fail(new HandlerNotFoundError(ctx.self.toString(), id)), state };
          const r = await state.run(h, 'handleCall', request);
          return { reply: r.crash !== undefined ? fail(r.crash) : { ok: r.reply }, state };
        },
        which: ({ state }) => ({ reply: state.ids(), state }),
      },
      handleCast: {
        async notify({ state }, event) {
          await state.each('handleEvent', event);
          return { state };
        },
      },
      async handleInfo({ state }, msg) {
        // A supervising process exited: its handlers go (the manager's parent is handled before).
        if (isExitMessage(msg)) await state.removeAll({ kind: 'stop', reason: msg.reason }, msg.from);
        else await state.each('handleInfo', msg);
        return { state };
      },
      async terminate({ state }, reason) {
        await state.removeAll({ kind: 'stop', reason });
      },
      formatStatus: (state) => ({ handlers: state.list.map((h) => ({ id: h.id, handler: h.handler.name, state: h.state, owner: h.owner })) }),
    },
    {},
    'event_manager',
  );
}

/** The generic manager type (`sdnode.otp.event_manager`), without a catalog of handlers by name. */
const Generic = defineManager('sdnode.otp.event_manager');

async function request<T>(caller: Caller, mgr: Target, op: keyof ManagerSpec['calls'], args: unknown[], options?: CallOptions): Promise<T> {
  return unwrap<T>(await callFrom(caller, mgr, { op, args }, options));
}

/**
 * EventManager: one process, many handlers (Erlang's gen_event). An event is given to every
 * handler in order; a handler that crashes is removed (terminate runs with `crash`, a warning is
 * logged, its supervising process is told) and the manager lives on.
 *
 * | API | handler callback |
 * | --- | --- |
 * | `addHandler`, `addSupHandler` | `init` |
 * | `notify`, `syncNotify` | `handleEvent` (every handler) |
 * | `call(caller, mgr, id, request)` | `handleCall` (one handler) |
 * | any other message to the manager | `handleInfo` (every handler) |
 * | `deleteHandler`, `swapHandler`, remove/swap results, `stop` | `terminate` |
 */
export const EventManager = {
  /** A manager type whose catalog lets handlers be added by name (also from other nodes). */
  define: defineManager,

  /** The generic manager type; add it to a node's types to start managers there by name. */
  Generic,

  /** Start a manager (by default of the generic type). */
  start(caller: Caller, options?: StartOptions & { readonly type?: ManagerType }): Promise<ServerPid<ManagerSpec>> {
    return startProcess(caller, options?.type ?? Generic, [], options) as Promise<ServerPid<ManagerSpec>>;
  },

  startLink(ctx: ProcessContext, options: Omit<StartOptions, 'link'> & { readonly type?: ManagerType } = {}): Promise<ServerPid<ManagerSpec>> {
    return startProcess(ctx, options.type ?? Generic, [], { ...options, link: true }) as Promise<ServerPid<ManagerSpec>>;
  },

  /** Define an event handler. */
  handler<A, S, E = unknown>(name: string, callbacks: HandlerCallbacks<A, S, E>): EventHandler<A, S, E> {
    return Object.freeze({ name, callbacks });
  },

  /** Add a handler (an object: local managers; a name: from the manager's catalog). HandlerExistsError, StartError. */
  addHandler<A>(caller: Caller, mgr: Target, handler: EventHandler<A, any, any> | string, args: A, options: AddHandlerOptions & CallOptions = {}): Promise<void> {
    return request(caller, mgr, 'add', [handler, args, options.id, null], options);
  },

  /**
   * Add a handler supervised by the calling process: the manager links to it; if the handler is
   * removed for another reason than deleteHandler, the process gets `{ $handlerExit: id, manager,
   * reason }`; if the process exits, the handler is removed.
   */
  addSupHandler<A>(ctx: ProcessContext, mgr: Target, handler: EventHandler<A, any, any> | string, args: A, options: AddHandlerOptions & CallOptions = {}): Promise<void> {
    requireProcess(ctx, 'addSupHandler');
    return request(ctx, mgr, 'add', [handler, args, options.id, ctx.self], options);
  },

  /** Remove a handler; resolves with its terminate's result. HandlerNotFoundError. */
  deleteHandler<T = unknown>(caller: Caller, mgr: Target, id: string, args?: unknown, options?: CallOptions): Promise<T> {
    return request(caller, mgr, 'remove', [id, args], options);
  },

  /** Replace handler `id` by another (see SwapTo). HandlerNotFoundError, StartError (the new one's init failed). */
  swapHandler(caller: Caller, mgr: Target, id: string, swap: SwapTo, options?: CallOptions): Promise<void> {
    return request(caller, mgr, 'swap', [id, swap], options);
  },

  /** Give `event` to every handler; does not wait. */
  notify(caller: Caller, mgr: Target, event: unknown): void {
    sendQuietly(caller, mgr, { $cast: { op: 'notify', args: [event] } });
  },

  /** Give `event` to every handler and wait until all have handled it. */
  async syncNotify(caller: Caller, mgr: Target, event: unknown, options?: CallOptions): Promise<void> {
    await callFrom(caller, mgr, { op: 'syncNotify', args: [event] }, options);
  },

  /** Call one handler. HandlerNotFoundError; HandlerCrashError (it crashed and was removed). */
  call<R = unknown>(caller: Caller, mgr: Target, id: string, req: unknown, options?: CallOptions): Promise<R> {
    return request(caller, mgr, 'call', [id, req], options);
  },

  whichHandlers(caller: Caller, mgr: Target, options?: CallOptions): Promise<string[]> {
    return callFrom(caller, mgr, { op: 'which', args: [] }, options);
  },

  /** Stop the manager: every handler's terminate runs with `{ kind: 'stop', reason }`. */
  stop(caller: Caller, mgr: Target, reason: ExitReason = ExitReasons.normal, options?: SysOptions): Promise<void> {
    return Sys.terminate(caller, mgr, reason, options);
  },
} as const;
