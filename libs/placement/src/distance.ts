/**
 * Distance between nodes from the location hierarchy (the cluster file's `locationLevels`, widest
 * first, e.g. region > zone > rack > host, and each node's `location`).
 *
 * - Shared levels: how many levels, from the widest down, two nodes have the same value at. A
 *   level a node leaves out matches nothing (and ends the shared prefix).
 * - Abstract levels: `node` (the same node), then each location level from the narrowest up
 *   (same host, same rack, ...), then `anywhere`. Two nodes are within level L when they are the
 *   same node (L = node), or share every level from the widest down to L, or L = anywhere.
 * - SD Erlang's ultrametric: 0 on the same node, else 2^(1-k) where k counts the tree vertices the
 *   two root-to-node paths share, the root included (k = 1 + shared levels). Two nodes that share
 *   nothing are at 1; the distance never exceeds the larger of the other two sides of a triangle.
 */

export type Location = Readonly<Record<string, string>>;

/** The number of levels, from the widest, at which both locations have the same value. */
export function sharedLevels(a: Location, b: Location, levels: readonly string[]): number {
  let k = 0;
  for (const level of levels) {
    const va = a[level];
    if (va === undefined || va !== b[level]) break;
    k++;
  }
  return k;
}

/** SD Erlang's ultrametric distance: 0 for the same node, else 2^(1 - (1 + shared levels)). */
export function ultrametric(sameNode: boolean, a: Location, b: Location, levels: readonly string[]): number {
  if (sameNode) return 0;
  return 2 ** -sharedLevels(a, b, levels);
}

/**
 * How many shared levels `level` demands: 0 for `anywhere`, the level's depth (1 for the widest)
 * for a location level, and Infinity for `node` (only the same node is within it).
 */
export function levelDepth(level: string, levels: readonly string[]): number {
  if (level === 'anywhere') return 0;
  if (level === 'node') return Number.POSITIVE_INFINITY;
  const i = levels.indexOf(level);
  return i < 0 ? Number.POSITIVE_INFINITY : i + 1;
}

/** Are the two nodes within `level` of each other? */
export function withinLevel(sameNode: boolean, a: Location, b: Location, level: string, levels: readonly string[]): boolean {
  if (sameNode) return true;
  const depth = levelDepth(level, levels);
  return depth !== Number.POSITIVE_INFINITY && sharedLevels(a, b, levels) >= depth;
}

/**
 * The narrowest abstract level two nodes share: `node`, a location level, or `anywhere`. This is
 * what `sdnode placement explain` and `placement.distance` print.
 */
export function commonLevel(sameNode: boolean, a: Location, b: Location, levels: readonly string[]): string {
  if (sameNode) return 'node';
  const k = sharedLevels(a, b, levels);
  return k === 0 ? 'anywhere' : levels[k - 1]!;
}

/**
 * The group a node falls in when spreading across `level`: the values of every level from the
 * widest down to it (so rack r1 of zone a and rack r1 of zone b are different racks). Undefined
 * when the node's location leaves one of them out; `node` groups by the node name.
 */
export function spreadKey(node: string, loc: Location, level: string, levels: readonly string[]): string | undefined {
  if (level === 'node') return node;
  if (level === 'anywhere') return '';
  const depth = levelDepth(level, levels);
  if (depth === Number.POSITIVE_INFINITY) return undefined;
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) {
    const v = loc[levels[i]!];
    if (v === undefined) return undefined;
    parts.push(v);
  }
  return parts.join('\u0000');
}
