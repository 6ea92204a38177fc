import type { CallOptions, ProcessContext } from '@sdnode/core';
import type { Pid } from '@sdnode/wire';
import type { MaybePromise } from '../common/async.js';
import { callFrom, type Caller } from '../common/caller.js';
import { unwrap } from '../common/messages.js';
import type { Target } from '../common/names.js';
import { startProcess, type StartOptions } from '../common/start.js';
import { defineServer } from '../gen-server/define.js';
import type { ServerPid, ServerType } from '../gen-server/types.js';
import { supervisorChild, worker, type ChildSpec, type NormalChildSpec } from './child-spec.js';
import { MAX_RESTART_INTENSITY, supervisorCallbacks, type SupervisorServerSpec } from './supervisor-server.js';
import type { ChildCounts, ChildInfo, SupervisorInit } from './supervisor-state.js';

/**
 * Supervisor: starts, watches and restarts children (Erlang's supervisor).
 *
 * | API | callback / effect |
 * | --- | --- |
 * | `define(name, { init })`, `start` / `startLink` | `init` returns flags and child specs; children start in order |
 * | `startChild` | a new child (simple_one_for_one: with extra arguments) |
 * | `terminateChild`, `restartChild`, `deleteChild` | stop / start again / forget a child |
 * | `whichChildren`, `countChildren`, `getChildSpec` | introspection |
 * | a child exits | restarted by its restart policy and the strategy, within the intensity |
 *
 * A supervisor is a GenServer underneath: Sys requests and GenServer.stop work on it.
 */

export interface SupervisorCallbacks<A extends unknown[]> {
  init(ctx: ProcessContext, ...args: A): MaybePromise<SupervisorInit | { readonly ignore: true }>;
}

/** A supervisor type: a process type (spawnable by name) whose init gives flags and children. */
export type SupervisorType<A extends unknown[]> = ServerType<SupervisorServerSpec & { args: A }>;

/** Supervisor calls start and stop children, which takes time: their default timeout is 60 s. */
export const SUPERVISOR_CALL_TIMEOUT = 60_000;

function define<A extends unknown[]>(name: string, callbacks: SupervisorCallbacks<A>): SupervisorType<A> {
  const init = callbacks.init as (ctx: ProcessContext, ...args: unknown[]) => MaybePromise<SupervisorInit | { readonly ignore: true }>;
  return defineServer<SupervisorServerSpec>(name, supervisorCallbacks(init), {}, 'supervisor') as unknown as SupervisorType<A>;
}

/** A supervisor whose flags and children are its start argument (for supervisors built at run time). */
const Generic: SupervisorType<[init: SupervisorInit]> = define('sdnode.otp.supervisor', { init: (_ctx, init: SupervisorInit) => init });

async function request<T>(caller: Caller, sup: Target, op: keyof SupervisorServerSpec['calls'], args: unknown[], options?: CallOptions): Promise<T> {
  return unwrap<T>(await callFrom(caller, sup, { op, args }, { timeout: SUPERVISOR_CALL_TIMEOUT, ...options }));
}

export const Supervisor = {
  define,

  /** The generic supervisor type (`sdnode.otp.supervisor`); add it to a node's types to start one there by name. */
  Generic,

  /** Start a supervisor of `type` and wait until all its children have started. */
  start<A extends unknown[]>(caller: Caller, type: SupervisorType<A>, args: A, options?: StartOptions): Promise<ServerPid<SupervisorServerSpec>> {
    return startProcess(caller, type, args, { timeout: SUPERVISOR_CALL_TIMEOUT, ...options }) as Promise<ServerPid<SupervisorServerSpec>>;
  },

  startLink<A extends unknown[]>(ctx: ProcessContext, type: SupervisorType<A>, args: A, options: Omit<StartOptions, 'link'> = {}): Promise<ServerPid<SupervisorServerSpec>> {
    return startProcess(ctx, type, args, { timeout: SUPERVISOR_CALL_TIMEOUT, ...options, link: true }) as Promise<ServerPid<SupervisorServerSpec>>;
  },

  /** Start a generic supervisor with these flags and children. */
  startWith(caller: Caller, init: SupervisorInit, options?: StartOptions): Promise<ServerPid<SupervisorServerSpec>> {
    return Supervisor.start(caller, Generic, [init], options);
  },

  /**
   * Add and start a child (a spec; for simple_one_for_one, the extra start arguments). Resolves
   * with its pid, or null when its init returned ignore. Rejects with ChildExistsError,
   * StartError (its init failed; the spec is not kept), InvalidArgumentError.
   */
  startChild(caller: Caller, sup: Target, what: ChildSpec | readonly unknown[], options?: CallOptions): Promise<Pid | null> {
    return request(caller, sup, 'startChild', [what], options);
  },

  /** Stop a child by id (static) or pid (dynamic); a temporary or dynamic child is also forgotten. ChildNotFoundError. */
  terminateChild(caller: Caller, sup: Target, which: string | Pid, options?: CallOptions): Promise<void> {
    return request(caller, sup, 'terminateChild', [which], options);
  },

  /** Start a stopped child again. ChildNotFoundError, ChildRunningError, StartError. */
  restartChild(caller: Caller, sup: Target, id: string, options?: CallOptions): Promise<Pid | null> {
    return request(caller, sup, 'restartChild', [id], options);
  },

  /** Forget a stopped child. ChildNotFoundError, ChildRunningError. */
  deleteChild(caller: Caller, sup: Target, id: string, options?: CallOptions): Promise<void> {
    return request(caller, sup, 'deleteChild', [id], options);
  },

  /** Every child in start order: id, pid ('restarting', or null when not running), kind. */
  whichChildren(caller: Caller, sup: Target, options?: CallOptions): Promise<ChildInfo[]> {
    return request(caller, sup, 'whichChildren', [], options);
  },

  countChildren(caller: Caller, sup: Target, options?: CallOptions): Promise<ChildCounts> {
    return request(caller, sup, 'countChildren', [], options);
  },

  getChildSpec(caller: Caller, sup: Target, id: string, options?: CallOptions): Promise<NormalChildSpec> {
    return request(caller, sup, 'getChildSpec', [id], options);
  },

  /** Child spec helpers typed by the process type's arguments. */
  worker,
  supervisor: supervisorChild,

  /** The exit reason of a supervisor that reached its restart intensity. */
  MAX_RESTART_INTENSITY,
} as const;
