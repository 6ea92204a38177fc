import { defineProcess, type CallOptions, type CallbackBehaviour, type ProcessContext } from '@sdnode/core';
import { InvalidArgumentError } from '@sdnode/wire';
import { isThenable } from '../common/async.js';
import { callFrom, sendQuietly, type Caller } from '../common/caller.js';
import type { Target } from '../common/names.js';
import type { BehaviourName } from '../common/otp-type.js';
import { startProcess, type StartOptions } from '../common/start.js';
import { ServerProcess, type LooseCallbacks, type LooseServerType } from './server-process.js';
import type { ArgsOf, DefineServerOptions, ServerCallbacks, ServerClient, ServerPid, ServerRef, ServerSpec, ServerType } from './types.js';

function checkOps(map: unknown, what: string, name: string): string[] {
  if (map === undefined) return [];
  if (typeof map !== 'object' || map === null) throw new InvalidArgumentError(what, `${name}: expected an object of handlers by operation name`);
  const ops = Object.keys(map);
  for (const op of ops) {
    if (typeof (map as Record<string, unknown>)[op] !== 'function') throw new InvalidArgumentError(what, `${name}: handler "${op}" is not a function`);
  }
  return ops;
}

function checkCallbacks(name: string, cb: LooseCallbacks): { calls: string[]; casts: string[] } {
  if (typeof cb !== 'object' || cb === null || typeof cb.init !== 'function') throw new InvalidArgumentError('callbacks', `${name}: init is required`);
  for (const f of ['handleInfo', 'handleContinue', 'terminate', 'codeChange', 'formatStatus'] as const) {
    if (cb[f] !== undefined && typeof cb[f] !== 'function') throw new InvalidArgumentError('callbacks', `${name}: ${f} is not a function`);
  }
  return { calls: checkOps(cb.handleCall, 'handleCall', name), casts: checkOps(cb.handleCast, 'handleCast', name) };
}

/** A typed client bound to a caller; its methods are the type's operations. */
export function makeClient<S>(ops: ServerType<S>['ops'], caller: Caller, target: Target, options: CallOptions | undefined): ServerClient<S> {
  const call: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const op of ops.calls) call[op] = (...args) => callFrom(caller, target, { op, args }, options);
  const cast: Record<string, (...args: unknown[]) => void> = {};
  for (const op of ops.casts) cast[op] = (...args) => sendQuietly(caller, target, { $cast: { op, args } });
  return Object.freeze({
    target: target as ServerRef<S>,
    call: Object.freeze(call),
    cast: Object.freeze(cast),
    withOptions: (more: CallOptions) => makeClient<S>(ops, caller, target, { ...options, ...more }),
  }) as unknown as ServerClient<S>;
}

/**
 * Define a server type: a named process type running the GenServer generic part over
 * `callbacks`. Define it on every node that runs or spawns it (pass it in the node's `types`).
 * @internal `behaviourName` lets Supervisor and EventManager reuse the generic part.
 */
export function defineServer<S extends ServerSpec>(
  name: string,
  callbacks: ServerCallbacks<S>,
  options: DefineServerOptions = {},
  behaviourName: BehaviourName = 'gen_server',
): ServerType<S> {
  const loose = callbacks as unknown as LooseCallbacks;
  const { calls, casts } = checkCallbacks(name, loose);
  const ops = Object.freeze({ calls: Object.freeze(calls), casts: Object.freeze(casts) });
  let self: LooseServerType | null = null;
  const behaviour: CallbackBehaviour<ServerProcess, unknown[]> = {
    init: (ctx, ...raw) => ServerProcess.init(self!, ctx, raw),
    handle: (_ctx, msg, w) => {
      const r = w.handle(msg);
      return isThenable(r) ? (r as Promise<void>).then(() => w) : w;
    },
    terminate: (_ctx, reason, w) => w.terminateFromCore(reason) as void,
  };
  const base = defineProcess(name, behaviour);
  const type: ServerType<S> = Object.freeze({
    name: base.name,
    behaviour: base.behaviour!,
    body: null,
    otp: behaviourName,
    vsn: options.vsn,
    callbacks,
    ops,
    start(caller: Caller, args: ArgsOf<S>, startOptions?: StartOptions): Promise<ServerPid<S>> {
      return startProcess(caller, type, args, startOptions) as Promise<ServerPid<S>>;
    },
    startLink(caller: ProcessContext, args: ArgsOf<S>, startOptions: Omit<StartOptions, 'link'> = {}): Promise<ServerPid<S>> {
      return startProcess(caller, type, args, { ...startOptions, link: true }) as Promise<ServerPid<S>>;
    },
    ref(target: Target): ServerRef<S> {
      return target as ServerRef<S>;
    },
    client(caller: Caller, target: Target, callOptions?: CallOptions): ServerClient<S> {
      return makeClient<S>(ops, caller, target, callOptions);
    },
  }) as unknown as ServerType<S>;
  self = type as unknown as LooseServerType;
  return type;
}
