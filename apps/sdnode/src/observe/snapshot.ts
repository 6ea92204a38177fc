import type { ObserveSummary, ObservedLoad, ObservedProcess, ObservedScope } from '@sdnode/harness';

/**
 * The cluster as the observer shows it: nodes with their status and what they told about
 * themselves, the s_groups they know, and the connections between them. Built from the gatherer's
 * entries by a pure function, so it can be diffed and tested without a network.
 */

/**
 * - `up`: the node answered its last poll;
 * - `unreachable`: it did not answer, but a node that answered is connected to it (frozen, or cut
 *   off from the observer);
 * - `down`: it did not answer and no node that answered is connected to it.
 */
export type NodeStatus = 'up' | 'unreachable' | 'down';

/** Connections by kind; `missing`: two nodes that should be connected (same s_group, or both free) and are not. */
export type EdgeKind = 'visible' | 'p2p' | 'hidden' | 'missing';

export interface SnapshotNode {
  readonly name: string;
  readonly status: NodeStatus;
  /** `sgroup`, `free` or `hidden` (null: not known yet, or the node runs no s_groups). */
  readonly kind: string | null;
  readonly hidden: boolean;
  readonly address: string | null;
  readonly creation: number | null;
  /** The s_groups the node is in (as it said, or as the groups' definitions say when it did not answer). */
  readonly groups: readonly string[];
  readonly processCount: number | null;
  readonly load: ObservedLoad | null;
  readonly mailboxes: readonly ObservedProcess[];
  readonly names: readonly ObservedScope[];
  /** Members of its groups it is not connected to (as it says). */
  readonly unreachable: readonly string[];
  /** Why the last poll failed (null when it answered). */
  readonly error: string | null;
  /** When the status last changed (ms since the epoch). */
  readonly since: number;
}

export interface SnapshotGroup {
  readonly name: string;
  readonly members: readonly string[];
  readonly version: number;
}

export interface SnapshotEdge {
  /** The two nodes, `a < b`. */
  readonly a: string;
  readonly b: string;
  readonly kind: EdgeKind;
  /** Only one end reports the connection (the other did not answer, or disagrees). */
  readonly oneSided: boolean;
}

export interface ClusterSnapshot {
  /** Increases with every snapshot that differs from the previous one. */
  readonly seq: number;
  /** When it was built (ms since the epoch). */
  readonly at: number;
  /** The observer's own (hidden) node. */
  readonly observer: string;
  readonly nodes: readonly SnapshotNode[];
  readonly groups: readonly SnapshotGroup[];
  readonly edges: readonly SnapshotEdge[];
}

/** What the gatherer knows of one node. */
export interface NodeEntry {
  readonly name: string;
  readonly status: NodeStatus;
  readonly since: number;
  /** The last summary the node answered (kept while it does not answer, for its groups and address). */
  readonly summary: ObserveSummary | null;
  readonly error: string | null;
  readonly address: string | null;
}

const EDGE_RANK: Record<Exclude<EdgeKind, 'missing'>, number> = { visible: 3, p2p: 2, hidden: 1 };

/** Every group known by the nodes that answered: the highest version of each name. */
export function knownGroups(entries: Iterable<NodeEntry>): SnapshotGroup[] {
  const best = new Map<string, SnapshotGroup>();
  for (const e of entries) {
    if (e.summary === null) continue;
    for (const g of e.summary.groups) {
      const seen = best.get(g.name);
      if (seen === undefined || g.version > seen.version) best.set(g.name, { name: g.name, members: [...g.members].sort(), version: g.version });
    }
  }
  return [...best.values()].sort((x, y) => cmp(x.name, y.name));
}

function snapshotNode(e: NodeEntry, groups: readonly SnapshotGroup[]): SnapshotNode {
  const s = e.status === 'up' ? e.summary : null;
  const last = e.summary;
  return {
    name: e.name,
    status: e.status,
    kind: last?.kind ?? null,
    hidden: last?.hidden ?? false,
    address: e.address ?? last?.address ?? null,
    creation: last?.creation ?? null,
    groups: groups.filter((g) => g.members.includes(e.name)).map((g) => g.name),
    processCount: s?.processCount ?? null,
    load: s?.load ?? null,
    mailboxes: s?.mailboxes ?? [],
    names: s?.names ?? [],
    unreachable: s?.unreachable ?? [],
    error: e.error,
    since: e.since,
  };
}

/** Connections as the nodes that answered report them, one edge per pair (the most visible kind either end reports; see buildSnapshot for hidden nodes). */
function reportedEdges(entries: readonly NodeEntry[], shown: ReadonlySet<string>): Map<string, { a: string; b: string; kind: Exclude<EdgeKind, 'missing'>; ends: number }> {
  const edges = new Map<string, { a: string; b: string; kind: Exclude<EdgeKind, 'missing'>; ends: number }>();
  for (const e of entries) {
    if (e.status !== 'up' || e.summary === null) continue;
    const c = e.summary.connections;
    const kinds: Array<[readonly string[], Exclude<EdgeKind, 'missing'>]> = [
      [c.visible, 'visible'],
      [c.pointToPoint, 'p2p'],
      [c.hidden, 'hidden'],
    ];
    for (const [peers, kind] of kinds) {
      for (const peer of peers) {
        if (peer === e.name || !shown.has(peer)) continue;
        const [a, b] = e.name < peer ? [e.name, peer] : [peer, e.name];
        const key = `${a}|${b}`;
        const seen = edges.get(key);
        if (seen === undefined) edges.set(key, { a, b, kind, ends: 1 });
        else edges.set(key, { a, b, kind: EDGE_RANK[kind] > EDGE_RANK[seen.kind] ? kind : seen.kind, ends: seen.ends + 1 });
      }
    }
  }
  return edges;
}

/** Pairs of answering nodes that should be connected (members of one group; free nodes) and are not. */
function missingEdges(nodes: readonly SnapshotNode[], groups: readonly SnapshotGroup[], reported: ReadonlyMap<string, unknown>): SnapshotEdge[] {
  const up = new Set(nodes.filter((n) => n.status === 'up' && !n.hidden).map((n) => n.name));
  const sets: string[][] = groups.map((g) => g.members.filter((m) => up.has(m)));
  sets.push(nodes.filter((n) => n.status === 'up' && n.kind === 'free').map((n) => n.name));
  const out = new Map<string, SnapshotEdge>();
  for (const members of sets) {
    const sorted = [...members].sort();
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const key = `${sorted[i]}|${sorted[j]}`;
        if (!reported.has(key) && !out.has(key)) out.set(key, { a: sorted[i]!, b: sorted[j]!, kind: 'missing', oneSided: false });
      }
    }
  }
  return [...out.values()];
}

/**
 * The snapshot of the gatherer's entries (the observer itself left out). `seq` is the caller's:
 * the gatherer bumps it only when the content changed (see sameContent).
 */
export function buildSnapshot(observer: string, entries: Iterable<NodeEntry>, seq: number, at: number): ClusterSnapshot {
  const list = [...entries].filter((e) => e.name !== observer).sort((x, y) => cmp(x.name, y.name));
  const groups = knownGroups(list);
  const nodes = list.map((e) => snapshotNode(e, groups));
  const shown = new Set(nodes.map((n) => n.name));
  const reported = reportedEdges(list, shown);
  // A connection to a hidden node is hidden, whatever the hidden end calls it (to it, its peers are just nodes).
  const hidden = new Set(nodes.filter((n) => n.hidden).map((n) => n.name));
  const edges: SnapshotEdge[] = [...reported.values()].map((r) => ({ a: r.a, b: r.b, kind: hidden.has(r.a) || hidden.has(r.b) ? 'hidden' : r.kind, oneSided: r.ends < 2 }));
  edges.push(...missingEdges(nodes, groups, reported));
  edges.sort((x, y) => (x.a === y.a ? cmp(x.b, y.b) : cmp(x.a, y.a)));
  return { seq, at, observer, nodes, groups, edges };
}

/** Plain code-unit order (localeCompare is far slower, and tens of thousands of edges get sorted). */
const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** One string per edge list, cheap to compare (a full mesh of 300 nodes has about 45,000 edges). */
export function edgesKey(edges: readonly SnapshotEdge[]): string {
  let key = '';
  for (const e of edges) key += `${e.a}|${e.b}|${e.kind}|${e.oneSided ? 1 : 0};`;
  return key;
}

/** Do two snapshots show the same cluster (`seq` and `at` aside)? */
export function sameContent(x: ClusterSnapshot, y: ClusterSnapshot): boolean {
  if (x.nodes.length !== y.nodes.length || x.edges.length !== y.edges.length) return false;
  if (JSON.stringify(x.groups) !== JSON.stringify(y.groups)) return false;
  for (let i = 0; i < x.nodes.length; i++) if (JSON.stringify(x.nodes[i]) !== JSON.stringify(y.nodes[i])) return false;
  return edgesKey(x.edges) === edgesKey(y.edges);
}
