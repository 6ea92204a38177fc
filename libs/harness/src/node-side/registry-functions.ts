import type { RpcFunction } from '@sdnode/core';
import type { Registry, RegisterResult, ScopeInfo } from '@sdnode/registry';
import type { Pid, Term } from '@sdnode/wire';
import { pidArgument, textArgument } from './rpc-arguments.js';

/**
 * The rpc functions through which a test driver (or the CLI) uses a node's registry: the node
 * registers, looks up and joins on its own registry, so everything a test asks goes through the
 * real protocol of that node. Registered by `sdnode start` next to the harness functions.
 */
export const RegistryRpc = {
  /** `(scope, name, pid, meta?) => RegisterResult`. */
  register: 'sdnode.registry.register',
  /** `(scope, name, pid, meta?) => RegisterResult`. */
  reRegister: 'sdnode.registry.re_register',
  /** `(scope, name) => void`. */
  unregister: 'sdnode.registry.unregister',
  /** `(scope, name) => Pid | null`: this node's answer (partitioned mode: asks the owner). */
  whereis: 'sdnode.registry.whereis',
  /** `(scope) => number`: names held here. */
  count: 'sdnode.registry.count',
  /** `(scope, group, pid) => void`: a local pid joins a process group. */
  join: 'sdnode.registry.join',
  /** `(scope, group) => Pid[]`. */
  members: 'sdnode.registry.members',
} as const;

/** A scope as the state report shows it. */
export interface ScopeSummary {
  readonly scope: string;
  readonly mode: string;
  readonly members: readonly string[];
  readonly state: string;
  readonly waitingFor: readonly string[];
  readonly names: number;
  readonly conflicts: number;
  readonly groups: number;
  readonly dropped: number;
  /** Up to 20 names held here, with their pids. */
  readonly sample: Record<string, Pid>;
}

const text = textArgument;
const pid = pidArgument;

export function summariseScopes(registry: Registry): ScopeSummary[] {
  return registry.scopes().map((s) => {
    const i: ScopeInfo = s.info();
    const sample: Record<string, Pid> = {};
    for (const name of s.registeredNames().slice(0, 20)) {
      const p = s.whereis(name);
      if (p !== undefined) sample[name] = p;
    }
    return {
      scope: i.scope,
      mode: i.mode,
      members: i.members,
      state: i.state,
      waitingFor: i.waitingFor,
      names: i.names,
      conflicts: i.conflicts,
      groups: i.groups,
      dropped: i.stats.dropped,
      sample,
    };
  });
}

export function registryFunctions(registry: Registry): Record<string, RpcFunction> {
  const scope = (name: unknown) => registry.requireScope(text(name, 'scope'));
  return {
    [RegistryRpc.register]: (s: unknown, name: unknown, p: unknown, meta: unknown = null): Promise<RegisterResult> =>
      scope(s).register(text(name, 'name'), pid(p), meta as Term),
    [RegistryRpc.reRegister]: (s: unknown, name: unknown, p: unknown, meta: unknown = null): Promise<RegisterResult> =>
      scope(s).reRegister(text(name, 'name'), pid(p), meta as Term),
    [RegistryRpc.unregister]: (s: unknown, name: unknown) => scope(s).unregister(text(name, 'name')),
    [RegistryRpc.whereis]: async (s: unknown, name: unknown) => (await scope(s).find(text(name, 'name')))?.pid ?? null,
    [RegistryRpc.count]: (s: unknown) => scope(s).count(),
    [RegistryRpc.join]: (s: unknown, group: unknown, p: unknown) => scope(s).pg.join(text(group, 'group'), pid(p)),
    [RegistryRpc.members]: (s: unknown, group: unknown) => [...scope(s).pg.members(text(group, 'group'))],
  };
}
