import type { Scope } from '@sdnode/registry';
import { Holder, type SimNode } from './sim-node.js';
import type { SimCluster, SettleMode } from './sim-cluster.js';
import { phase, type PhaseCost } from './measurements.js';

export interface HealResult {
  /** Virtual ms from the heal to the last delivery or connection change it caused (sim backend). */
  readonly convergeMs: number;
  /** What the cluster sent from the heal until it was quiet. */
  readonly cost: PhaseCost;
  /** Connections cut by the partition, and whether all of them (and no more) are back. */
  readonly cut: number;
  readonly connectionsRestored: boolean;
  /** The name registered on both sides has one and the same pid on every member of its scope, every view is the same. */
  readonly conflictResolved: boolean;
}

/** A scope that has members on both sides (global for free nodes; else the first group across the cut), with one member of each side. */
function scopeAcross(c: SimCluster, side: ReadonlySet<string>): { scope: string; a: SimNode; b: SimNode; members: SimNode[] } {
  const groups = c.options.groups;
  if (groups === null) {
    const all = c.nodes;
    return { scope: 'global', a: all.find((n) => side.has(n.node.name))!, b: all.find((n) => !side.has(n.node.name))!, members: all };
  }
  for (const g of Object.keys(groups).sort()) {
    const members = c.nodes.filter((n) => n.sgroups.table.isMemberOf(g, n.node.name));
    const a = members.find((n) => side.has(n.node.name));
    const b = members.find((n) => !side.has(n.node.name));
    if (a !== undefined && b !== undefined) return { scope: g, a, b, members };
  }
  throw new Error('no group has members on both sides of the partition');
}

function scopeOn(n: SimNode, scope: string): Scope {
  return scope === 'global' ? n.registry.global : n.sgroups.scope(scope)!;
}

/**
 * Split the cluster in two halves (the first half of the nodes against the rest), let each side
 * register the same name for a pid of its own in a scope across the cut, then heal and measure
 * until the cluster is quiet: connections re-made (s_group nodes re-dial their groups' members
 * every second; free nodes: one node of the second half reconnects to its seed, the first node,
 * as a SeedKeeper would, and the NODES gossip re-meshes the rest), views merged, the name
 * conflict resolved by the name's owner.
 */
export async function partitionHeal(c: SimCluster, settle: SettleMode): Promise<HealResult> {
  const names = c.nodes.map((n) => n.node.name);
  const half = names.slice(0, Math.floor(names.length / 2));
  const side = new Set(half);
  const before = c.connections().total;
  c.backend.partition(half, names);
  await c.settle(settle);
  const cut = before - c.connections().total;
  const across = scopeAcross(c, side);
  for (const n of [across.a, across.b]) await c.clock.until(scopeOn(n, across.scope).register('sim.conflict', n.node.spawn(Holder)));
  await c.settle(settle);
  const healedAt = c.clock.now;
  const cost = await phase(c, async () => {
    c.backend.heal();
    if (c.options.groups === null) c.node(names[half.length]!).node.connect(names[0]!).catch(() => undefined);
    await c.settle(settle);
  });
  const lastActivity = c.backend.lastActivity();
  const views = new Set(across.members.map((n) => scopeOn(n, across.scope).view().hash));
  const lookups = await c.clock.until(Promise.all(across.members.map((n) => scopeOn(n, across.scope).find('sim.conflict'))));
  const pids = new Set(lookups.map((e) => e?.pid.toString() ?? 'none'));
  return {
    convergeMs: Math.max(0, lastActivity - healedAt),
    cost,
    cut,
    connectionsRestored: c.connections().total === before,
    conflictResolved: views.size === 1 && pids.size === 1 && !pids.has('none'),
  };
}
