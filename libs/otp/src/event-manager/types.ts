import type { ProcessContext } from '@sdnode/core';
import type { ExitReason, Pid } from '@sdnode/wire';
import type { MaybePromise } from '../common/async.js';

/**
 * Why a handler's terminate runs, and what its result becomes: deleteHandler's answer, or the
 * `swapped.result` the next handler's init gets.
 * - `delete`: deleteHandler, with its argument;
 * - `remove`: a callback returned `{ remove: true }`;
 * - `swap`: a callback returned `swap`, or swapHandler, with its argument;
 * - `stop`: the manager is stopping, or the handler's supervising process exited;
 * - `crash`: a callback threw or returned an illegal value (the handler is removed).
 */
export type TerminateReason =
  | { readonly kind: 'delete'; readonly args: unknown }
  | { readonly kind: 'remove' }
  | { readonly kind: 'swap'; readonly args: unknown }
  | { readonly kind: 'stop'; readonly reason: ExitReason }
  | { readonly kind: 'crash'; readonly reason: ExitReason };

/** What an event handler's callbacks get: the manager's process and the handler's own state. */
export interface HandlerEnv<S> {
  readonly ctx: ProcessContext;
  readonly state: S;
  /** The id the handler was added under. */
  readonly id: string;
}

/** Replace the handler by another: the old one terminates with `args`, the new one starts with `toArgs`. */
export interface SwapTo {
  readonly args?: unknown;
  readonly to: EventHandler<any, any, any> | string;
  readonly toArgs?: unknown;
  /** Id of the new handler (default: its name). */
  readonly id?: string;
}

export type HandlerResult<S> = { readonly state: S } | { readonly remove: true } | { readonly swap: SwapTo; readonly state?: S };

export type HandlerCallResult<S, R = unknown> =
  | { readonly reply: R; readonly state: S }
  | { readonly reply: R; readonly remove: true }
  | { readonly reply: R; readonly swap: SwapTo; readonly state?: S };

export type HandlerInitResult<S> = { readonly state: S } | { readonly error: unknown };

/** Set when a handler is swapped in: the id and terminate result of the handler it replaces. */
export interface Swapped {
  readonly from: string;
  readonly result: unknown;
}

export interface HandlerCallbacks<A, S, E> {
  init(ctx: ProcessContext, args: A, swapped?: Swapped): MaybePromise<HandlerInitResult<S>>;
  handleEvent(env: HandlerEnv<S>, event: E): MaybePromise<HandlerResult<S>>;
  /** Default: the call fails with HandlerCrashError and the handler is removed (like an undefined callback in Erlang). */
  handleCall?(env: HandlerEnv<S>, request: unknown): MaybePromise<HandlerCallResult<S>>;
  /** Messages the manager gets that are not requests (default: ignored). */
  handleInfo?(env: HandlerEnv<S>, msg: unknown): MaybePromise<HandlerResult<S>>;
  terminate?(env: HandlerEnv<S>, why: TerminateReason): unknown;
}

/** An event handler (a gen_event callback module): define it on every node that adds it by name. */
export interface EventHandler<A = unknown, S = unknown, E = unknown> {
  readonly name: string;
  readonly callbacks: HandlerCallbacks<A, S, E>;
}

/** Options of addHandler. */
export interface AddHandlerOptions {
  /** Default: the handler's name. Several instances of one handler need distinct ids. */
  readonly id?: string;
}

/** What a handler's supervising process gets when the handler is removed for another reason than delete. */
export interface HandlerExitMessage {
  readonly $handlerExit: string;
  readonly manager: Pid;
  readonly reason: TerminateReason;
}

export function isHandlerExitMessage(value: unknown): value is HandlerExitMessage {
  return typeof value === 'object' && value !== null && typeof (value as { $handlerExit?: unknown }).$handlerExit === 'string';
}
