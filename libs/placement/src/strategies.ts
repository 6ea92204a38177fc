import HashRing from 'hashring';
import type { NodeEntry } from './cluster-view.js';
import { ultrametric, type Location } from './distance.js';

/**
 * The strategies: given the eligible nodes, which one. Each reads only entries, so the same code
 * serves a decision (one node), a count (repeated, with the picks so far counted as load) and
 * `explain` (a score per node; lower is better).
 */

export type Random = () => number;

/** Extra load this decision has put on a node already (picks of the same chooseNodes call). */
export type PickedCount = (node: string) => number;

/** A node's load for least_loaded: the attribute (missing: worst), then its processes plus what this node placed there. */
export function loadOf(e: NodeEntry, attribute: string): number {
  const v = e.attributes[attribute];
  return typeof v === 'number' ? v : Number.POSITIVE_INFINITY;
}

function processesOf(e: NodeEntry, picked: PickedCount): number {
  const p = e.attributes['processes'];
  return (typeof p === 'number' ? p : 0) + e.placed + picked(e.name);
}

/** Is `a` less loaded than `b`? Compares the load attribute plus picks, then processes. */
function lessLoaded(a: NodeEntry, b: NodeEntry, attribute: string, picked: PickedCount): boolean {
  const la = loadOf(a, attribute) + (attribute === 'processes' ? a.placed + picked(a.name) : 0);
  const lb = loadOf(b, attribute) + (attribute === 'processes' ? b.placed + picked(b.name) : 0);
  if (la !== lb) return la < lb;
  return processesOf(a, picked) <= processesOf(b, picked);
}

/**
 * Least loaded by the power of two choices: two distinct random candidates, the less loaded wins.
 * O(1) per decision, and many spawners choosing at once do not all pile onto one node (they would
 * with "the least loaded of all", whose answer they would share until the next report).
 */
export function leastLoaded(candidates: readonly NodeEntry[], attribute: string, picked: PickedCount, random: Random): NodeEntry {
  const n = candidates.length;
  if (n === 1) return candidates[0]!;
  const i = Math.floor(random() * n);
  let j = Math.floor(random() * (n - 1));
  if (j >= i) j++;
  const a = candidates[i]!;
  const b = candidates[j]!;
  return lessLoaded(a, b, attribute, picked) ? a : b;
}

export function randomPick(candidates: readonly NodeEntry[], random: Random): NodeEntry {
  return candidates[Math.floor(random() * candidates.length)]!;
}

/** The distance score of `e` from the reference: ultrametric distance, then round trip (ms) as a fraction below the next level. */
export function nearestScore(e: NodeEntry, reference: string, referenceLocation: Location, levels: readonly string[]): number {
  const d = ultrametric(e.name === reference, e.location, referenceLocation, levels);
  return d + (e.rtt === undefined ? 1e-3 : Math.min(e.rtt, 999) * 1e-6);
}

/** Nearest to the reference node: smallest ultrametric distance, then smallest measured round trip, then name. */
export function nearest(candidates: readonly NodeEntry[], reference: string, referenceLocation: Location, levels: readonly string[], picked: PickedCount): NodeEntry {
  let best = candidates[0]!;
  let bd = Number.POSITIVE_INFINITY;
  let br = Number.POSITIVE_INFINITY;
  let bp = Number.POSITIVE_INFINITY;
  for (const e of candidates) {
    const d = ultrametric(e.name === reference, e.location, referenceLocation, levels);
    const r = e.rtt ?? Number.POSITIVE_INFINITY;
    const p = picked(e.name);
    if (d < bd || (d === bd && (r < br || (r === br && p < bp)))) {
      best = e;
      bd = d;
      br = r;
      bp = p;
    }
  }
  return best;
}

/** The eligible node names in name order (round robin and first match walk them in this order). */
export function byName(candidates: readonly NodeEntry[]): NodeEntry[] {
  return [...candidates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Key affinity: a consistent hash ring (hashring, ketama) over the eligible nodes. A key maps to
 * the same node while that node stays eligible; when a node joins or leaves, about 1/N of the keys
 * move. `range` gives `count` distinct nodes in ring order (the key's owner first).
 */
export class KeyRing {
  private readonly ring: HashRing;

  constructor(readonly nodes: readonly string[]) {
    this.ring = new HashRing([...nodes]);
  }

  owner(key: string): string {
    return this.ring.get(key);
  }

  range(key: string, count: number): string[] {
    return this.ring.range(key, Math.min(count, this.nodes.length), true);
  }
}
