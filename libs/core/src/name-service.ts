import { InvalidArgumentError, type Pid } from '@sdnode/wire';

/**
 * Name services: where a process can be registered beyond the node's own local names (Erlang's
 * `via` module contract: register_name, unregister_name, whereis_name). A distributed registry
 * implements one per scope — `global` for names across the cluster's free nodes, one per s_group —
 * and makes it reachable on its node with `node.registerNameService(svc)`. The OTP behaviours start
 * and address processes through them (`{ global: 'x' }`, `{ scope: 'g1', name: 'x' }`,
 * `{ via: svc, name: 'x' }`).
 *
 * The service owns its names: it removes the name of a process that dies on its own, so nobody
 * has to unregister on exit.
 */

/** Options of the asynchronous operations of a name service. */
export interface NameServiceOptions {
  /** Give up after this many ms (the service's default when absent). */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** Why a registration was refused, or that it was made. */
export type NameRegistration =
  | { readonly ok: true }
  /** The name is held by another process. */
  | { readonly ok: false; readonly reason: 'taken'; readonly holder: Pid }
  /** The process already has a name (`name`) in this scope. */
  | { readonly ok: false; readonly reason: 'already_named'; readonly name: string }
  /** The process is not alive. */
  | { readonly ok: false; readonly reason: 'noproc' };

export interface NameService {
  /** For messages and errors, e.g. 'global' or the scope name. */
  readonly scopeName: string;
  /** Register `pid` under `name`; resolves with ok, or why not (taken by another pid, pid already has a name in this scope, pid is dead). */
  registerName(name: string, pid: Pid, options?: NameServiceOptions): Promise<NameRegistration>;
  unregisterName(name: string, options?: NameServiceOptions): Promise<void>;
  /** The pid registered under `name` as this node knows it now, or undefined. */
  whereisName(name: string): Pid | undefined;
}

/** Whether `value` has the shape of a NameService (a scope name and the three operations). */
export function isNameService(value: unknown): value is NameService {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof NameService, unknown>>;
  return (
    typeof v.scopeName === 'string' &&
    v.scopeName.length > 0 &&
    typeof v.registerName === 'function' &&
    typeof v.unregisterName === 'function' &&
    typeof v.whereisName === 'function'
  );
}

/**
 * The name services of one node, by scope name. At most one service per scope; the function
 * `add` returns removes that service only (a later service of the same scope stays).
 */
export class NameServices {
  private readonly byScope = new Map<string, NameService>();

  /** Add `svc` under its scope name. Throws InvalidArgumentError for a taken scope or a malformed service. */
  add(svc: NameService): () => void {
    if (!isNameService(svc)) {
      throw new InvalidArgumentError('name service', 'expected { scopeName, registerName, unregisterName, whereisName } with a non-empty scopeName');
    }
    const scope = svc.scopeName;
    if (this.byScope.has(scope)) throw new InvalidArgumentError('name service', `a name service for scope "${scope}" is already registered`);
    this.byScope.set(scope, svc);
    return () => {
      if (this.byScope.get(scope) === svc) this.byScope.delete(scope);
    };
  }

  get(scope: string): NameService | undefined {
    return this.byScope.get(scope);
  }
}
