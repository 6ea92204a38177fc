import { edgesKey, type ClusterSnapshot, type SnapshotEdge, type SnapshotGroup, type SnapshotNode } from './snapshot.js';

/**
 * What changed from one snapshot to the next, as the page receives it over server-sent events:
 * the nodes that are new or changed (whole), the names of those that went, and the groups and
 * edges whole when any of them changed. Applied to the snapshot numbered `base`, it gives the
 * snapshot numbered `seq`.
 */
export interface SnapshotDiff {
  readonly base: number;
  readonly seq: number;
  readonly at: number;
  readonly upsert: readonly SnapshotNode[];
  readonly remove: readonly string[];
  readonly groups?: readonly SnapshotGroup[];
  readonly edges?: readonly SnapshotEdge[];
}

/** The diff base -> next does not apply: the receiver holds another snapshot than `base`. */
export class SnapshotMismatchError extends Error {
  override readonly name = 'SnapshotMismatchError';
  constructor(
    readonly held: number,
    readonly base: number,
  ) {
    super(`the diff applies to snapshot ${base}, not to ${held}`);
  }
}

const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);

export function diffSnapshots(base: ClusterSnapshot, next: ClusterSnapshot): SnapshotDiff {
  const before = new Map(base.nodes.map((n) => [n.name, n]));
  const after = new Set(next.nodes.map((n) => n.name));
  const upsert = next.nodes.filter((n) => {
    const old = before.get(n.name);
    return old === undefined || !same(old, n);
  });
  const remove = base.nodes.filter((n) => !after.has(n.name)).map((n) => n.name);
  return {
    base: base.seq,
    seq: next.seq,
    at: next.at,
    upsert,
    remove,
    ...(same(base.groups, next.groups) ? {} : { groups: next.groups }),
    ...(edgesKey(base.edges) === edgesKey(next.edges) ? {} : { edges: next.edges }),
  };
}

/** Is there nothing in the diff (the same cluster)? */
export function isEmptyDiff(diff: SnapshotDiff): boolean {
  return diff.upsert.length === 0 && diff.remove.length === 0 && diff.groups === undefined && diff.edges === undefined;
}

/** `base` with `diff` applied (nodes kept in name order); SnapshotMismatchError when `diff` is not for `base`. */
export function applyDiff(base: ClusterSnapshot, diff: SnapshotDiff): ClusterSnapshot {
  if (diff.base !== base.seq) throw new SnapshotMismatchError(base.seq, diff.base);
  const nodes = new Map(base.nodes.map((n) => [n.name, n]));
  for (const name of diff.remove) nodes.delete(name);
  for (const n of diff.upsert) nodes.set(n.name, n);
  return {
    seq: diff.seq,
    at: diff.at,
    observer: base.observer,
    nodes: [...nodes.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
    groups: diff.groups ?? base.groups,
    edges: diff.edges ?? base.edges,
  };
}
