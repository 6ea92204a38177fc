import { Node, type CallOptions, type Destination, type ProcessContext } from '@sdnode/core';
import { InvalidArgumentError, NoProcError, Pid } from '@sdnode/wire';
import { resolveTarget, type Target } from './names.js';

/**
 * Who talks to a behaviour process: a process (its context) or, from outside any process, a node
 * (each call then runs in a temporary process of that node).
 */
export type Caller = ProcessContext | Node;

/**
 * The OTP call pattern from `caller`: a reply, TimeoutError, NoProcError, NoConnectionError or
 * CalleeExitError. A registry name is resolved to its pid first (NoProcError when nobody holds it).
 */
export function callFrom<T>(caller: Caller, target: Target, request: unknown, options?: CallOptions): Promise<T> {
  let to: Destination;
  try {
    to = resolveTarget(caller, target);
  } catch (e) {
    return Promise.reject(e);
  }
  if (caller instanceof Node) return caller.call<T>(to, request, options);
  // A process calling itself would only ever time out (Erlang exits with calling_self).
  const self = caller.self;
  if ((to instanceof Pid && to.equals(self)) || (typeof to === 'string' && caller.whereis(to)?.equals(self) === true)) {
    return Promise.reject(new InvalidArgumentError('call', `process ${self.toString()} cannot call itself`));
  }
  return caller.call<T>(to, request, options);
}

/**
 * Send without failing (casts, like gen_server:cast, never fail): a message to an unregistered
 * local name, or to a registry name nobody holds, is dropped. A registry name whose scope has no
 * name service on this node throws InvalidArgumentError (a wrong argument, like an unsendable message).
 */
export function sendQuietly(caller: Caller, target: Target, msg: unknown): void {
  try {
    caller.send(resolveTarget(caller, target), msg);
  } catch (e) {
    if (!(e instanceof NoProcError)) throw e;
  }
}

/** Run `fn` inside a process: the caller itself, or a temporary process of the node. */
export function inProcess<T>(caller: Caller, fn: (ctx: ProcessContext) => Promise<T>, options: { timeout?: number; signal?: AbortSignal } = {}): Promise<T> {
  if (!(caller instanceof Node)) return fn(caller);
  // The temporary process gets a deadline a little longer than the operation's own, so that the
  // operation reports its own (more precise) timeout first.
  const runOptions = {
    ...(options.timeout !== undefined && Number.isFinite(options.timeout) ? { timeout: options.timeout + 1000 } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  return caller.run(fn, runOptions);
}

/** The caller as a process; links need one. */
export function requireProcess(caller: Caller, what: string): ProcessContext {
  if (caller instanceof Node) throw new InvalidArgumentError(what, 'needs a calling process (a ProcessContext), not a Node');
  return caller;
}

/** The pid of a process caller; null for a node. */
export function callerPid(caller: Caller): Pid | null {
  return caller instanceof Node ? null : caller.self;
}
