import type { ProcessContext } from '@sdnode/core';
import { ExitReasons, type ExitReason } from '@sdnode/wire';
import { callFrom, sendQuietly, type Caller } from '../common/caller.js';
import { startProcess, type StartOptions } from '../common/start.js';
import { Sys, type SysOptions } from '../common/sys.js';
import { defineServer } from './define.js';
import type {
  ArgsOf,
  CallArgs,
  CallsOf,
  CastsOf,
  From,
  OpArgs,
  OpName,
  OpReply,
  ServerPid,
  ServerRef,
  ServerType,
} from './types.js';
import { TIMEOUT } from './types.js';

/**
 * GenServer: the client/server behaviour (Erlang's gen_server).
 *
 * | API | callback |
 * | --- | --- |
 * | `define(name, callbacks)` then `start` / `startLink` / spawn by name | `init` |
 * | `call(caller, server, op, args)`, `client.call.op(...)` | `handleCall[op]` |
 * | `cast(caller, server, op, args)`, `client.cast.op(...)` | `handleCast[op]` |
 * | any other message; a callback's `timeout` expiring | `handleInfo` |
 * | a callback returning `continue` | `handleContinue` |
 * | `stop`, a stop result, the parent's exit | `terminate` |
 * | `Sys.changeCode(caller, server, NewType)` | `codeChange` (of the new type) |
 *
 * docs/behaviours/gen-server.md lists every legal return value.
 */
export const GenServer = {
  define: defineServer,

  /** Start a server and wait for its init; rejects with StartError, NameTakenError, TimeoutError. */
  start<S>(caller: Caller, type: ServerType<S>, args: ArgsOf<S>, options?: StartOptions): Promise<ServerPid<S>> {
    return startProcess(caller, type, args, options) as Promise<ServerPid<S>>;
  },

  /** Start a server linked to the calling process. */
  startLink<S>(ctx: ProcessContext, type: ServerType<S>, args: ArgsOf<S>, options: Omit<StartOptions, 'link'> = {}): Promise<ServerPid<S>> {
    return startProcess(ctx, type, args, { ...options, link: true }) as Promise<ServerPid<S>>;
  },

  /**
   * Call operation `op` and wait for its reply (default timeout 5000 ms). Rejects with
   * TimeoutError, NoProcError (no such process or name), NoConnectionError (its node is down or
   * unreachable), CalleeExitError (the server exited before replying, with its reason).
   */
  call<S, K extends OpName<CallsOf<S>>>(caller: Caller, server: ServerRef<S>, op: K, ...rest: CallArgs<CallsOf<S>, K>): Promise<OpReply<CallsOf<S>, K>> {
    const [args, options] = rest as [unknown[] | undefined, SysOptions | undefined];
    return callFrom(caller, server, { op, args: args ?? [] }, options);
  },

  /** Send operation `op` without waiting; never fails (like gen_server:cast). */
  cast<S, K extends OpName<CastsOf<S>>>(caller: Caller, server: ServerRef<S>, op: K, ...rest: OpArgs<CastsOf<S>, K> extends [] ? [args?: []] : [args: OpArgs<CastsOf<S>, K>]): void {
    sendQuietly(caller, server, { $cast: { op, args: rest[0] ?? [] } });
  },

  /** Answer a call later (after handleCall returned `noreply`), from this or any process. */
  reply<R>(ctx: ProcessContext, from: From<R>, value: R): void {
    ctx.reply(from, value);
  },

  /** Stop a server with `reason` (default normal) and wait until it has exited (see Sys.terminate). */
  stop(caller: Caller, server: ServerRef<unknown>, reason: ExitReason = ExitReasons.normal, options?: SysOptions): Promise<void> {
    return Sys.terminate(caller, server, reason, options);
  },

  /** What handleInfo receives when a returned `timeout` expires. */
  TIMEOUT,
} as const;
