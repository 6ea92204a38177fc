import { InvalidArgumentError, type ExitReason } from '@sdnode/wire';
import type { ProcessContext } from './process-context.js';

/**
 * Callback style (what OTP behaviours build on, and the fastest path): `init` makes the state,
 * `handle` turns (message, state) into the next state. A returned Promise makes the process busy
 * until it settles; messages wait, in order. A throw or rejection exits the process with
 * `{kind: 'error'}`. `terminate` runs once when the process exits (not when it was killed).
 */
export interface CallbackBehaviour<S, A extends unknown[]> {
  init(ctx: ProcessContext, ...args: A): S | Promise<S>;
  handle(ctx: ProcessContext, msg: unknown, state: S): S | Promise<S>;
  terminate?(ctx: ProcessContext, reason: ExitReason, state: S): void;
}

/**
 * Async style, close to Erlang's receive: the body runs as the process; it waits for messages with
 * `ctx.receive`. Returning ends the process `normal`; throwing ends it with `{kind: 'error'}`.
 */
export type AsyncBody<A extends unknown[]> = (ctx: ProcessContext, ...args: A) => unknown;

/**
 * A named process type. Types are defined by name on every node (like Erlang modules) so that a
 * node can spawn a type on another node by name with serialisable arguments.
 */
export interface ProcessType<A extends unknown[] = any[]> {
  readonly name: string;
  /** Set for callback-style types. */
  readonly behaviour: CallbackBehaviour<any, A> | null;
  /** Set for async-style types. */
  readonly body: AsyncBody<A> | null;
}

const TYPE_NAME = /^[A-Za-z0-9_.:/-]{1,200}$/;

export function defineProcess<S, A extends unknown[]>(name: string, behaviour: CallbackBehaviour<S, A>): ProcessType<A>;
export function defineProcess<A extends unknown[]>(name: string, body: (ctx: ProcessContext, ...args: A) => unknown): ProcessType<A>;
export function defineProcess(
  name: string,
  impl: CallbackBehaviour<unknown, unknown[]> | AsyncBody<unknown[]>,
): ProcessType<unknown[]> {
  if (!TYPE_NAME.test(name)) throw new InvalidArgumentError('process type name', `"${name}" must match ${TYPE_NAME}`);
  if (typeof impl === 'function') return Object.freeze({ name, behaviour: null, body: impl });
  if (typeof impl !== 'object' || impl === null || typeof impl.init !== 'function' || typeof impl.handle !== 'function') {
    throw new InvalidArgumentError('process type', `"${name}" needs an async body or { init, handle, terminate? }`);
  }
  return Object.freeze({ name, behaviour: impl, body: null });
}

export function isProcessType(value: unknown): value is ProcessType {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as ProcessType;
  return typeof v.name === 'string' && (v.behaviour !== null || typeof v.body === 'function') && 'body' in v;
}
