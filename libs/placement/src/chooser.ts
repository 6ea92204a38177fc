import { NoEligibleNodeError } from '@sdnode/wire';
import type { NodeEntry } from './cluster-view.js';
import { spreadKey } from './distance.js';
import type { FilterContext } from './filters.js';
import type { PlacementQuery } from './placement-query.js';
import { byName, leastLoaded, nearest, randomPick, type PickedCount, type Random } from './strategies.js';

/**
 * One decision: `count` nodes for a compiled query (the same node may come back several times,
 * except with spread while values of its level remain, and with key, which walks the ring).
 *
 * - pack: the strategy chooses one node, and all `count` go there;
 * - spread L: each pick is made among the nodes whose value of L (with every wider level) no pick
 *   of this decision has used yet; once every value is used, a new round starts;
 * - otherwise: the strategy picks `count` times, counting its own picks as load.
 */
export function choose(query: PlacementQuery, count: number, self: string, random: Random, key: string | undefined = query.spec.key): string[] {
  const ctx = query.context();
  const eligible = query.refresh(ctx);
  if (eligible.length === 0) throw new NoEligibleNodeError(self, query.label, count, query.explain(key));
  const spec = query.spec;
  if (spec.strategy === 'key' && spec.spread === undefined) {
    const ring = query.keyRing();
    if (count === 1 || spec.pack) {
      const owner = ring.owner(key!);
      return Array.from({ length: count }, () => owner);
    }
    const nodes = ring.range(key!, count);
    return Array.from({ length: count }, (_, i) => nodes[i % nodes.length]!);
  }
  if (count === 1 && spec.spread === undefined) return [pickOne(query, eligible, ctx, none, random, key).name];
  const picked = new Map<string, number>();
  const pickedCount: PickedCount = (node) => picked.get(node) ?? 0;
  const note = (e: NodeEntry): string => {
    picked.set(e.name, (picked.get(e.name) ?? 0) + 1);
    return e.name;
  };
  if (spec.pack || count === 1) {
    const node = pickOne(query, eligible, ctx, pickedCount, random, key).name;
    return Array.from({ length: count }, () => node);
  }
  if (spec.spread === undefined) return Array.from({ length: count }, () => note(pickOne(query, eligible, ctx, pickedCount, random, key)));
  const level = spec.spread;
  const keyOf = (e: NodeEntry): string => spreadKey(e.name, e.location, level, ctx.levels) ?? `\u0001${e.name}`;
  const used = new Set<string>();
  const out: string[] = [];
  while (out.length < count) {
    let fresh = eligible.filter((e) => !used.has(keyOf(e)));
    if (fresh.length === 0) {
      used.clear();
      fresh = [...eligible];
    }
    const e = spec.strategy === 'key' ? keyPick(query, fresh, key!) : pickOne(query, fresh, ctx, pickedCount, random, key);
    used.add(keyOf(e));
    out.push(note(e));
  }
  return out;
}

const none: PickedCount = () => 0;

/** Key affinity under spread: the first node in the key's ring order among the fresh candidates. */
function keyPick(query: PlacementQuery, fresh: readonly NodeEntry[], key: string): NodeEntry {
  const ring = query.keyRing();
  const names = new Set(fresh.map((e) => e.name));
  const order = ring.range(key, ring.nodes.length);
  const name = order.find((n) => names.has(n)) ?? fresh[0]!.name;
  return fresh.find((e) => e.name === name)!;
}

function pickOne(query: PlacementQuery, candidates: readonly NodeEntry[], ctx: FilterContext, picked: PickedCount, random: Random, key: string | undefined): NodeEntry {
  const spec = query.spec;
  switch (spec.strategy) {
    case 'least_loaded':
      return leastLoaded(candidates, spec.loadAttribute, picked, random);
    case 'random':
      return randomPick(candidates, random);
    case 'nearest': {
      const ref = query.reference(ctx);
      return nearest(candidates, ref.node, ref.location, ctx.levels, picked);
    }
    case 'first':
      return firstByName(candidates);
    case 'round_robin': {
      const ordered = candidates === query.current ? query.inNameOrder() : byName(candidates);
      return ordered[query.turn++ % ordered.length]!;
    }
    case 'key':
      return keyPick(query, candidates, key!);
  }
}

function firstByName(candidates: readonly NodeEntry[]): NodeEntry {
  let best = candidates[0]!;
  for (const e of candidates) if (e.name < best.name) best = e;
  return best;
}
