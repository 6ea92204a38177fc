import type { RpcFunction } from '@sdnode/core';
import { InvalidArgumentError } from '@sdnode/wire';
import type { SGroups } from './sgroups.js';

/** The rpc functions of a node with s_groups: lookups for non-members, and the CLI's operations. */
export const SGroupFunctions = {
  /** `(group, name) => Pid | null`, answered by a member. */
  whereis: 'sdnode.sgroups.whereis',
  /** `(group) => string[]`, answered by a member. */
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

export function sgroupFunctions(s: SGroups): Record<string, RpcFunction> {
  return {
    [SGroupFunctions.whereis]: async (group: unknown, name: unknown) => {
      const scope = s.scope(text(group, 'group'));
      if (scope === undefined) {
        s.requireMember(text(group, 'group'));
        return null;
      }
      return (await scope.find(text(name, 'name')))?.pid ?? null;
    },
    [SGroupFunctions.names]: (group: unknown) => {
      s.requireMember(text(group, 'group'));
      return s.scope(text(group, 'group'))?.registeredNames() ?? [];
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
