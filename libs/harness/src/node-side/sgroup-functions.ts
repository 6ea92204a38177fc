import type { RpcFunction } from '@sdnode/core';
import type { RegisterResult } from '@sdnode/registry';
import type { NodeKind, SGroups } from '@sdnode/sgroups';
import type { Pid, Term } from '@sdnode/wire';
import { pidArgument, textArgument } from './rpc-arguments.js';

/**
 * The rpc functions through which a test driver uses a node's s_group name spaces: the node
 * registers and looks up through its own SGroups, so a lookup from a node outside the group goes
 * through a member exactly as the node's own code would. (Membership changes and `info` are
 * @sdnode/sgroups' own rpc functions, SGroupFunctions.) Registered by `sdnode start`.
 */
export const SGroupRpc = {
  /** `(group, name, pid, meta?) => RegisterResult`: only on a member. */
  register: 'sdnode.harness.sgroups.register',
  /** `(group, name) => void`. */
  unregister: 'sdnode.harness.sgroups.unregister',
  /** `(group, name, via?) => Pid | null`: from this node's scope if a member, else through a member (or `via`). */
  whereis: 'sdnode.harness.sgroups.whereis',
  /** `(group, via?) => string[]`: the names of a group. */
  names: 'sdnode.harness.sgroups.names',
} as const;

/** A node's s_groups as the state report shows them. */
export interface SGroupsSummary {
  readonly kind: NodeKind;
  readonly groups: ReadonlyArray<{ readonly name: string; readonly members: readonly string[]; readonly version: number; readonly by: string }>;
  /** Groups known here that this node is not in. */
  readonly otherGroups: readonly string[];
  /** Members of its groups it is not connected to. */
  readonly unreachable: readonly string[];
  /** Definitions dropped for a concurrent one (and cluster files that disagree). */
  readonly superseded: ReadonlyArray<{ readonly group: string; readonly kept: readonly string[]; readonly dropped: readonly string[]; readonly configMismatch: boolean }>;
  /** Membership protocol messages dropped as malformed. */
  readonly dropped: number;
}

export function summariseSGroups(sgroups: SGroups): SGroupsSummary {
  const i = sgroups.info();
  return {
    kind: i.kind,
    groups: i.ownGroups.map((g) => ({ name: g.name, members: [...g.members], version: g.version, by: g.by })),
    otherGroups: [...i.otherGroups].sort(),
    unreachable: [...i.unreachable],
    superseded: i.superseded.map((s) => ({ group: s.group, kept: [...s.kept], dropped: [...s.dropped], configMismatch: s.configMismatch })),
    dropped: i.dropped,
  };
}

const text = textArgument;
const pid = pidArgument;

const via = (value: unknown): { via?: string } => (typeof value === 'string' && value.length > 0 ? { via: value } : {});

export function sgroupRpcFunctions(sgroups: SGroups): Record<string, RpcFunction> {
  const names = sgroups.names;
  return {
    [SGroupRpc.register]: (group: unknown, name: unknown, p: unknown, meta: unknown = null): Promise<RegisterResult> =>
      names.register(text(group, 'group'), text(name, 'name'), pid(p), meta as Term),
    [SGroupRpc.unregister]: (group: unknown, name: unknown) => names.unregister(text(group, 'group'), text(name, 'name')),
    [SGroupRpc.whereis]: async (group: unknown, name: unknown, through: unknown) =>
      (await names.whereis(text(group, 'group'), text(name, 'name'), via(through))) ?? null,
    [SGroupRpc.names]: (group: unknown, through: unknown) => names.registeredNames(text(group, 'group'), via(through)),
  };
}
