import type { RpcFunction } from '@sdnode/core';
import { InvalidArgumentError } from '@sdnode/wire';
import { definitionToWire, type DefinitionWire } from './group-definition.js';
import type { SGroups } from './sgroups.js';

/** The rpc functions of a node with s_groups: lookups for non-members, and the CLI's operations. */
export const SGroupFunctions = {
  /**
   * `(group, name) => Pid | null`, answered by a member. With a third argument `true` (protocol
   * version 5): `LookupAnswer<Pid | null>`, so that a node that left the group says so with its
   * newer definition instead of failing (a version 4 node ignores the flag and answers as before).
   */
  whereis: 'sdnode.sgroups.whereis',
  /** `(group) => string[]`, answered by a member; `(group, true) => LookupAnswer<string[]>` as whereis. */
  names: 'sdnode.sgroups.names',
  /** `() => SGroupsInfo`. */
  info: 'sdnode.sgroups.info',
  /** `(op: 'new'|'delete'|'add'|'remove', group, nodes, addresses?) => ChangeResult`: a change made by this node. */
  change: 'sdnode.sgroups.change',
  /** `() => GroupDefinition[]`: every live group known here. */
  groups: 'sdnode.sgroups.groups',
} as const;

const text = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v.length === 0) throw new InvalidArgumentError(what, 'expected a non-empty string');
  return v;
};

const nodeList = (v: unknown): string[] => {
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'string')) throw new InvalidArgumentError('nodes', 'expected an array of node names');
  return v as string[];
};

/**
 * The answer to a lookup that allows a redirect: the member's answer, or, from a node that is not
 * (or no longer) a member, the definition of the group it holds (the group deleted, or its members
 * without this node), for the asker to adopt if newer and ask a member of.
 */
export type LookupAnswer<T> = { readonly value: T } | { readonly moved: DefinitionWire };

/** The asked node's definition of `group` when it does not list it (deleted, or without it). */
function moved(s: SGroups, group: string): { readonly moved: DefinitionWire } | undefined {
  const d = s.table.get(group);
  return d !== undefined && (d.deleted || !d.members.includes(s.node.name)) ? { moved: definitionToWire(d) } : undefined;
}

export function sgroupFunctions(s: SGroups): Record<string, RpcFunction> {
  const whereis = async (group: string, name: string): Promise<unknown> => {
    const scope = s.scope(group);
    if (scope === undefined) {
      s.requireMember(group);
      return null;
    }
    return (await scope.find(name))?.pid ?? null;
  };
  const names = (group: string): string[] => {
    s.requireMember(group);
    return s.scope(group)?.registeredNames() ?? [];
  };
  return {
    [SGroupFunctions.whereis]: async (group: unknown, name: unknown, redirect: unknown) => {
      const g = text(group, 'group');
      const n = text(name, 'name');
      if (redirect !== true) return whereis(g, n);
      return moved(s, g) ?? { value: await whereis(g, n) };
    },
    [SGroupFunctions.names]: (group: unknown, redirect: unknown) => {
      const g = text(group, 'group');
      if (redirect !== true) return names(g);
      return moved(s, g) ?? { value: names(g) };
    },
    [SGroupFunctions.info]: () => s.info(),
    [SGroupFunctions.groups]: () => s.groups(),
    [SGroupFunctions.change]: (op: unknown, group: unknown, nodes: unknown = [], addresses: unknown = {}) => {
      const g = text(group, 'group');
      const options = typeof addresses === 'object' && addresses !== null ? { addresses: addresses as Record<string, string> } : {};
      switch (op) {
        case 'new':
          return s.newGroup(g, nodeList(nodes), options);
        case 'delete':
          return s.deleteGroup(g, options);
        case 'add':
          return s.addNodes(g, nodeList(nodes), options);
        case 'remove':
          return s.removeNodes(g, nodeList(nodes), options);
        default:
          throw new InvalidArgumentError('op', 'expected new, delete, add or remove');
      }
    },
  };
}
