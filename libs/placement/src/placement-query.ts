import type { PlacementCandidate } from '@sdnode/wire';
import type { ClusterView, NodeEntry } from './cluster-view.js';
import type { Location } from './distance.js';
import { compileFilters, firstFailing, targetsOf, type Filter, type FilterContext, type GroupSource } from './filters.js';
import type { NormalSpec, PlacementTarget } from './placement-spec.js';
import { KeyRing, byName, loadOf, nearestScore, type Random } from './strategies.js';

/** What a query reads besides the view: groups, name lookups, the clock and randomness. */
export interface QueryHost {
  readonly view: ClusterView;
  readonly groups: GroupSource | undefined;
  /** The node a registered name's process runs on, or undefined when not registered (or no such scope). */
  resolveName(scope: string | undefined, name: string): string | undefined;
  now(): number;
  readonly random: Random;
}

const EMPTY: Location = Object.freeze({});

/**
 * A compiled spec and the set of nodes eligible for it, kept up to date incrementally: after a
 * change of the view only the nodes that changed are checked again; a change of what the filters
 * measure from (a target moved, groups changed, an eligible node's attributes got too old, the
 * view's change log no longer reaches back) rebuilds the set. A decision then costs O(1) for
 * least_loaded and random, whatever the number of nodes; nearest, first and round robin walk the
 * eligible nodes, key hashes over them (the ring is cached while the set does not change).
 */
export class PlacementQuery {
  readonly filters: readonly Filter[];
  private readonly targets: readonly PlacementTarget[];
  private readonly eligible: NodeEntry[] = [];
  private readonly index = new Map<string, number>();
  private seenVersion = -1;
  private contextKey = '';
  private expiresAt = Number.POSITIVE_INFINITY;
  /** Bumped whenever the eligible set changes (caches below are per eligibility). */
  private eligibility = 0;
  private sorted: { at: number; entries: NodeEntry[] } | null = null;
  private ring: { at: number; ring: KeyRing } | null = null;
  /** Round robin: how many choices this query has made. */
  turn = 0;

  constructor(
    readonly spec: NormalSpec,
    readonly label: string,
    private readonly host: QueryHost,
  ) {
    this.filters = compileFilters(spec);
    this.targets = targetsOf(spec);
  }

  /** The filter context of this moment: targets resolved, the clock read. */
  context(): FilterContext {
    const { view, groups } = this.host;
    const targets = this.targets.map((t) => this.resolve(t));
    return {
      self: view.self,
      levels: view.levels,
      now: this.host.now(),
      groups,
      targets,
      locationOf: (node) => view.get(node)?.location ?? EMPTY,
    };
  }

  private resolve(t: PlacementTarget): string | undefined {
    if (t.pid !== undefined) return t.pid.node;
    if (t.name !== undefined) return this.host.resolveName(t.scope, t.name);
    return t.node ?? this.host.view.self;
  }

  /** The eligible nodes now (do not keep the array: it changes in place). */
  refresh(ctx: FilterContext = this.context()): readonly NodeEntry[] {
    const { view, groups } = this.host;
    const key = `${ctx.targets.join('\u0000')}|${groups?.version ?? 0}`;
    let changes = key === this.contextKey && ctx.now < this.expiresAt ? view.changesSince(this.seenVersion) : null;
    // A target's own report can move it (its first report, a new location): every verdict measured from it may change.
    if (changes !== null && ctx.targets.length > 0 && changes.some((n) => ctx.targets.includes(n))) changes = null;
    if (changes === null) {
      this.rebuild(ctx);
      this.contextKey = key;
    } else {
      for (const node of changes) this.recheck(node, ctx);
    }
    this.seenVersion = view.version;
    return this.eligible;
  }

  private rebuild(ctx: FilterContext): void {
    this.eligible.length = 0;
    this.index.clear();
    this.expiresAt = Number.POSITIVE_INFINITY;
    for (const e of this.host.view.all()) if (firstFailing(this.filters, e, ctx) === undefined) this.add(e);
    this.eligibility++;
  }

  private recheck(node: string, ctx: FilterContext): void {
    const e = this.host.view.get(node);
    const ok = e !== undefined && firstFailing(this.filters, e, ctx) === undefined;
    const at = this.index.get(node);
    // An entry that stays eligible is the same object, updated in place: nothing to do.
    if (ok && at === undefined) this.add(e);
    else if (!ok && at !== undefined) this.removeAt(at);
    else return;
    this.eligibility++;
  }

  private add(e: NodeEntry): void {
    this.index.set(e.name, this.eligible.length);
    this.eligible.push(e);
    for (const f of this.filters) if (f.expiresAt !== undefined) this.expiresAt = Math.min(this.expiresAt, f.expiresAt(e));
  }

  private removeAt(at: number): void {
    const removed = this.eligible[at]!;
    const last = this.eligible.pop()!;
    this.index.delete(removed.name);
    if (at < this.eligible.length) {
      this.eligible[at] = last;
      this.index.set(last.name, at);
    }
  }

  /** The eligible set as of the last refresh (the same array refresh returns). */
  get current(): readonly NodeEntry[] {
    return this.eligible;
  }

  /** The eligible nodes in name order (cached while the eligible set does not change). */
  inNameOrder(): NodeEntry[] {
    if (this.sorted === null || this.sorted.at !== this.eligibility) this.sorted = { at: this.eligibility, entries: byName(this.eligible) };
    return this.sorted.entries;
  }

  /** The key ring over the eligible nodes (cached while the eligible set does not change). */
  keyRing(): KeyRing {
    if (this.ring === null || this.ring.at !== this.eligibility) this.ring = { at: this.eligibility, ring: new KeyRing(this.eligible.map((e) => e.name)) };
    return this.ring.ring;
  }

  /** The node nearest and spread measure from: the first near target, else the calling node. */
  reference(ctx: FilterContext): { node: string; location: Location } {
    const node = this.spec.near.length > 0 ? (ctx.targets[0] ?? ctx.self) : ctx.self;
    return { node, location: ctx.locationOf(node) };
  }

  /** Every known node with the first constraint that excluded it, or its strategy score (`key` for strategy key). */
  explain(key: string | undefined = this.spec.key): PlacementCandidate[] {
    const ctx = this.context();
    const ref = this.reference(ctx);
    this.refresh(ctx);
    const ring = this.spec.strategy === 'key' ? this.keyRing() : undefined;
    const ranks = ring !== undefined && key !== undefined ? ring.range(key, ring.nodes.length) : [];
    return this.host.view.names().map((node): PlacementCandidate => {
      const e = this.host.view.get(node)!;
      const failing = firstFailing(this.filters, e, ctx);
      if (failing !== undefined) return { node, excludedBy: failing.label };
      const score = this.score(e, ref, ranks);
      return score === undefined ? { node } : { node, score };
    });
  }

  private score(e: NodeEntry, ref: { node: string; location: Location }, ranks: readonly string[]): number | undefined {
    switch (this.spec.strategy) {
      case 'least_loaded':
        return loadOf(e, this.spec.loadAttribute);
      case 'nearest':
        return nearestScore(e, ref.node, ref.location, this.host.view.levels);
      case 'key':
        return ranks.indexOf(e.name);
      default:
        return undefined;
    }
  }
}
