// The services above the runtime, when a node runs them: the distributed registry (names and pg per
// scope), s_groups (membership versions, members, the node's kind) and placement (decisions, view).
import type { Node } from '@sdnode/core';
import type { Placement } from '@sdnode/placement';
import type { Registry, Scope, ScopeInfo } from '@sdnode/registry';
import type { SGroups, SGroupsInfo } from '@sdnode/sgroups';
import type { ScrapeMemo, Series, SnapshotMetrics } from './snapshot-metrics.js';

/** Members of every process group of a scope, summed (a pid that joined twice counts twice). */
export function pgMemberCount(scope: Scope): number {
  let n = 0;
  for (const group of scope.pg.whichGroups()) n += scope.pg.members(group).length;
  return n;
}

/**
 * The distributed registry of the node, per scope (the global scope of the free nodes, one per
 * s_group, fixed ones): names, members of the view and whether it is stable, conflicts, process
 * groups and their members, and the scope's own totals.
 */
export function registerRegistryMetrics(registry: Registry, metrics: SnapshotMetrics, memo: ScrapeMemo, prefix: string): void {
  const scopes = (): ReadonlyArray<{ scope: Scope; info: ScopeInfo }> => memo.get('registry.scopes', () => registry.scopes().map((scope) => ({ scope, info: scope.info() })));
  const perScope = (read: (info: ScopeInfo, scope: Scope) => number) => (): Series[] => scopes().map(({ scope, info }): Series => [{ scope: info.scope }, read(info, scope)]);

  metrics.gauge({ name: `${prefix}registry_names`, help: 'Names held on this node per registry scope (replicated: every name of the scope)', labelNames: ['scope'], read: perScope((i) => i.names) });
  metrics.gauge({ name: `${prefix}registry_members`, help: 'Nodes in the scope\'s current view, this node included', labelNames: ['scope'], read: perScope((i) => i.members.length) });
  metrics.gauge({ name: `${prefix}registry_view_stable`, help: '1 when the scope\'s current view is stable (every member reported it), else 0', labelNames: ['scope'], read: perScope((i) => (i.state === 'stable' ? 1 : 0)) });
  metrics.gauge({ name: `${prefix}registry_conflicts`, help: 'Names held here with more than one entry, waiting for their owner to resolve them', labelNames: ['scope'], read: perScope((i) => i.conflicts) });
  metrics.gauge({ name: `${prefix}registry_pending_requests`, help: 'Registry requests of this node waiting for an answer', labelNames: ['scope'], read: perScope((i) => i.pendingRequests) });
  metrics.gauge({ name: `${prefix}pg_groups`, help: 'Process groups (pg) known per scope', labelNames: ['scope'], read: perScope((i) => i.groups) });
  metrics.gauge({ name: `${prefix}pg_members`, help: 'Members of all process groups of a scope, summed', labelNames: ['scope'], read: perScope((_i, s) => pgMemberCount(s)) });
  metrics.counter({ name: `${prefix}registry_decided_total`, help: 'Registrations this node decided as the owner of their names', labelNames: ['scope'], read: perScope((i) => i.stats.decided) });
  metrics.counter({ name: `${prefix}registry_conflicts_resolved_total`, help: 'Conflicts this node resolved as an owner', labelNames: ['scope'], read: perScope((i) => i.stats.conflictsResolved) });
  metrics.counter({ name: `${prefix}registry_views_total`, help: 'Views of the scope installed on this node', labelNames: ['scope'], read: perScope((i) => i.stats.views) });
  metrics.counter({ name: `${prefix}registry_dropped_total`, help: 'Registry operations received that were malformed or not allowed from their sender', labelNames: ['scope'], read: perScope((i) => i.stats.dropped) });
}

const KINDS = ['sgroup', 'free', 'hidden'] as const;

/**
 * The node's s_groups: the version of each own group's agreed membership (it grows with every
 * agreed change), its members and how many of them are connected, the groups known here, and the
 * node's kind (s_group node, free, hidden).
 */
export function registerSGroupMetrics(node: Node, sgroups: SGroups, metrics: SnapshotMetrics, memo: ScrapeMemo, prefix: string): void {
  const info = (): SGroupsInfo => memo.get('sgroups.info', () => sgroups.info());
  const own = (read: (g: SGroupsInfo['ownGroups'][number]) => number) => (): Series[] => info().ownGroups.map((g): Series => [{ group: g.name }, read(g)]);

  metrics.gauge({
    name: `${prefix}sgroup_version`,
    help: 'Version (change counter) of the agreed membership of each s_group this node is in',
    labelNames: ['group'],
    read: own((g) => g.version),
  });
  metrics.gauge({ name: `${prefix}sgroup_members`, help: 'Members of each s_group this node is in, this node included', labelNames: ['group'], read: own((g) => g.members.length) });
  metrics.gauge({
    name: `${prefix}sgroup_connected_members`,
    help: 'Members of each own s_group (this node excluded) that this node is connected to',
    labelNames: ['group'],
    read: () => {
      const connected = new Set(node.nodes({ all: true }));
      return info().ownGroups.map((g): Series => [{ group: g.name }, g.members.filter((m) => m !== node.name && connected.has(m)).length]);
    },
  });
  metrics.gauge({ name: `${prefix}sgroups_known`, help: 'Live s_groups known on this node (own and heard of)', read: () => info().ownGroups.length + info().otherGroups.length });
  metrics.gauge({
    name: `${prefix}node_kind`,
    help: 'The node\'s kind: 1 for its kind (sgroup: in some s_group; free: in none; hidden), 0 for the others',
    labelNames: ['kind'],
    read: () => KINDS.map((kind): Series => [{ kind }, info().kind === kind ? 1 : 0]),
  });
}

/**
 * Implicit process placement on this node: its view of the cluster (nodes and measured round
 * trips: placement's probes, the round trip sdnode measures), the decisions made here by policy
 * (failures: nothing eligible) and the nodes they chose.
 */
export function registerPlacementMetrics(placement: Placement, metrics: SnapshotMetrics, prefix: string): void {
  metrics.gauge({ name: `${prefix}placement_view_nodes`, help: 'Nodes in this node\'s placement view (its visibility scope, itself included)', read: () => placement.info().nodes });
  metrics.gauge({
    name: `${prefix}peer_rtt_seconds`,
    help: 'Round trip to each node of the placement view, as placement\'s probes measure it (smoothed)',
    labelNames: ['peer'],
    read: () => placement.nodes().flatMap((r): Series[] => (r.rtt === undefined || r.node === placement.node.name ? [] : [[{ peer: r.node }, r.rtt / 1000]])),
  });
  metrics.counter({
    name: `${prefix}placement_decisions_total`,
    help: 'Placement decisions made on this node (chooseNode(s), spawnPlaced, placed children) by policy name, `inline` for inline specs',
    labelNames: ['policy'],
    read: () => Object.entries(placement.decisionStats().byPolicy).map(([policy, c]): Series => [{ policy }, c.decisions]),
  });
  metrics.counter({
    name: `${prefix}placement_failures_total`,
    help: 'Placement decisions that found no eligible node (NoEligibleNodeError) by policy',
    labelNames: ['policy'],
    read: () => Object.entries(placement.decisionStats().byPolicy).map(([policy, c]): Series => [{ policy }, c.failures]),
  });
  metrics.counter({
    name: `${prefix}placement_chosen_total`,
    help: 'How often placement on this node chose each node',
    labelNames: ['node'],
    read: () => Object.entries(placement.decisionStats().chosen).map(([node, n]): Series => [{ node }, n]),
  });
  metrics.counter({ name: `${prefix}placement_reports_sent_total`, help: 'Attribute reports this node sent to its visibility scope', read: () => placement.info().reportsSent });
}
