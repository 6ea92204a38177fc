import type { Node } from '@sdnode/core';
import type { Registry } from '@sdnode/registry';
import { SGroupPolicy, SGroups } from '@sdnode/sgroups';

type TableChange = Parameters<SGroupPolicy['groupsChanged']>[0];

/**
 * The connection policy of every `sdnode start` node: SGroupPolicy, which also tells when this
 * node's own groups changed (it joined or left a group, or a group of its changed members), so
 * the start command can print it.
 */
export class ReportingSGroupPolicy extends SGroupPolicy {
  /** Called after a change of this node's own groups was adopted, with the group that changed. */
  onOwnGroupsChanged: ((group: string) => void) | null = null;

  override groupsChanged(change: TableChange): void {
    super.groupsChanged(change);
    if (change.ownChanged) this.onOwnGroupsChanged?.(change.group);
  }
}

/** What the `sgroups` event line says: the node's kind and its groups with their members. */
export interface SGroupsEvent {
  readonly kind: string;
  readonly groups: Record<string, readonly string[]>;
  /** The group whose change this line reports (absent for the groups the node started with). */
  readonly changed?: string;
}

export function sgroupsEvent(sgroups: SGroups, changed?: string): SGroupsEvent {
  const groups: Record<string, readonly string[]> = {};
  for (const g of sgroups.ownGroups()) groups[g.name] = g.members;
  return { kind: sgroups.kind, groups, ...(changed !== undefined ? { changed } : {}) };
}

export interface NodeSGroupsOptions {
  /** The cluster file's s_groups (none without a file: the node starts free). */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** The cluster file's node addresses, to reach the members of groups. */
  readonly addresses?: Readonly<Record<string, string>>;
  /** Told every change of the node's own groups. */
  readonly onChange?: (event: SGroupsEvent) => void;
}

/**
 * Start the s_groups of a node started with `policy` (directly, or inside the harness's
 * PartitionFilterPolicy): the file's groups are adopted at once, each own group gets its name
 * space in `registry`, and the policy connects the node to the members of its groups.
 */
export function startNodeSGroups(node: Node, policy: ReportingSGroupPolicy, registry: Registry, options: NodeSGroupsOptions = {}): SGroups {
  let sgroups: SGroups | undefined;
  policy.onOwnGroupsChanged = (group) => {
    if (sgroups !== undefined) options.onChange?.(sgroupsEvent(sgroups, group));
  };
  sgroups = SGroups.start(node, {
    policy,
    registry,
    ...(options.groups !== undefined ? { groups: options.groups } : {}),
    ...(options.addresses !== undefined ? { addresses: options.addresses } : {}),
  });
  return sgroups;
}

/**
 * Do the s_groups justify a connection to `seed`: it is a member of one of the node's groups, or
 * both are free (a hidden node keeps every seed). Seeds that no group justifies would make
 * point-to-point connections the s_groups never asked for (and put them back after a removal cut
 * them).
 */
export function seedJustified(node: Node, policy: SGroupPolicy): (seed: string) => boolean {
  return (seed) => {
    if (node.hidden) return true;
    const t = policy.table;
    return t.share(t.self, seed) || (!t.inSomeGroup(t.self) && !t.inSomeGroup(seed));
  };
}
