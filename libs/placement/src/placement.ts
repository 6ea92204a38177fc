import { performance } from 'node:perf_hooks';
import type { Node, ProcessContext } from '@sdnode/core';
import type { SGroups } from '@sdnode/sgroups';
import { InvalidArgumentError, NoEligibleNodeError, UnknownPlacementPolicyError, type PlacementCandidate, type Pid } from '@sdnode/wire';
import { LocalAttributes, checkAttributes, type AttributeValue, type Attributes } from './attributes.js';
import { choose } from './chooser.js';
import { ClusterView, type ViewListener } from './cluster-view.js';
import { commonLevel, ultrametric, type Location } from './distance.js';
import { SGroupMembership } from './group-membership.js';
import { describeSpec, normalizeSpec, type PlacementSpec } from './placement-spec.js';
import { PlacementQuery, type QueryHost } from './placement-query.js';
import { placementFunctions } from './placement-functions.js';
import { Reporter } from './reporter.js';
import { checkSpawnOptions, isUnreachable, spawnOn, type Placed, type PlacedSpawnOptions } from './spawn-placed.js';

export interface PlacementOptions {
  /** Static attributes (the cluster file's `attributes` and the start options). */
  readonly attributes?: Attributes;
  /** This node's location: level -> value (the cluster file's `location`). */
  readonly location?: Location;
  /** The location hierarchy, widest first (default region, zone, host). */
  readonly locationLevels?: readonly string[];
  /** Named policies (the cluster file's `placement` section). */
  readonly policies?: Readonly<Record<string, PlacementSpec>>;
  /** For the s_group constraint. */
  readonly sgroups?: SGroups;
  /** Sample attributes this often, and send them to the scope when they moved (ms, default 1000). */
  readonly refreshInterval?: number;
  /**
   * Probe round trips this often (ms, default 2000). An answer also tells that the peer's report
   * still holds, so a spec's `maxAge` should be longer than this (times ceil(scope / maxProbes) in
   * a scope of more than maxProbes nodes).
   */
  readonly probeInterval?: number;
  /** Peers probed per probe interval at most (default 32); in a larger scope the probes go round. */
  readonly maxProbes?: number;
  /** Randomness for least_loaded and random (tests pass a seeded one). */
  readonly random?: () => number;
}

/** How a spec is given: inline, by policy name, or compiled once (the fastest for hot paths). */
export type SpecRef = PlacementSpec | string | PlacementQuery;

/** What `explain` reports: every candidate with its verdict, and what would be chosen now. */
export interface Explanation {
  readonly node: string;
  readonly spec: string;
  readonly strategy: string;
  readonly chosen: readonly string[];
  readonly candidates: readonly PlacementCandidate[];
}

/** One entry of `view()`: what this node knows of a node. */
export interface NodeReport {
  readonly node: string;
  readonly attributes: Attributes;
  readonly location: Location;
  /** ms since its last report arrived. */
  readonly age: number;
  readonly rtt: number | undefined;
}

export interface PlacementInfo {
  readonly node: string;
  readonly nodes: number;
  readonly levels: readonly string[];
  readonly location: Location;
  readonly policies: readonly string[];
  readonly reportsSent: number;
  /** Round-trip probes (PINGs) sent. */
  readonly probesSent: number;
  readonly droppedMessages: number;
}

const COMPILED_TEXT_LIMIT = 256;

const checkCount = (what: string, v: number | undefined, dflt: number): number => {
  const n = v ?? dflt;
  if (!(Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError(what, 'an integer >= 1');
  return n;
};

const checkInterval = (what: string, v: number | undefined, dflt: number): number => {
  const ms = v ?? dflt;
  if (!(Number.isFinite(ms) && ms >= 10)) throw new InvalidArgumentError(what, 'milliseconds >= 10');
  return ms;
};

/**
 * Implicit process placement on one node: it knows the attributes, location and round trip of the
 * nodes in its visibility scope, and chooses nodes for a spec (filters, then a strategy). See the
 * package README for the spec and docs/protocols/placement.md for how attributes spread.
 */
export class Placement {
  readonly view: ClusterView;
  private readonly local: LocalAttributes;
  private readonly reporter: Reporter;
  private readonly groups: SGroupMembership | undefined;
  private readonly policies = new Map<string, PlacementQuery>();
  private readonly compiled = new WeakMap<object, PlacementQuery>();
  /** Inline specs by their printed form without `key` (a fresh literal per call, or another key, shares one query). */
  private readonly byText = new Map<string, PlacementQuery>();
  private readonly host: QueryHost;
  private readonly random: () => number;
  private readonly location: Location;
  /** Counted by decide, read by decisionStats (metrics). */
  private readonly decided = new Map<string, { decisions: number; failures: number }>();
  private readonly picked = new Map<string, number>();
  private stopped = false;

  private constructor(
    readonly node: Node,
    options: PlacementOptions,
  ) {
    const levels = options.locationLevels ?? ['region', 'zone', 'host'];
    if (!Array.isArray(levels) || !levels.every((l) => typeof l === 'string' && l.length > 0 && l !== 'node' && l !== 'anywhere')) {
      throw new InvalidArgumentError('locationLevels', 'a list of level names (not node or anywhere)');
    }
    this.location = Object.freeze({ ...checkLocation(options.location ?? {}) });
    this.random = options.random ?? Math.random;
    this.view = new ClusterView(node.name, levels, (err) => node.logger.error({ err }, 'placement view subscriber threw'));
    this.local = new LocalAttributes(node, checkAttributes('attributes', options.attributes ?? {}));
    this.groups = options.sgroups !== undefined ? new SGroupMembership(options.sgroups) : undefined;
    this.host = {
      view: this.view,
      groups: this.groups,
      resolveName: (scope, name) => node.nameService(scope ?? 'global')?.whereisName(name)?.node,
      now: () => performance.now(),
      random: this.random,
    };
    for (const [name, spec] of Object.entries(options.policies ?? {})) this.policies.set(name, new PlacementQuery(normalizeSpec(spec, levels), name, this.host));
    this.reporter = new Reporter(node, this.view, this.local, this.location, {
      refreshInterval: checkInterval('refreshInterval', options.refreshInterval, 1000),
      probeInterval: checkInterval('probeInterval', options.probeInterval, 2000),
      maxProbes: checkCount('maxProbes', options.maxProbes, 32),
      rttGain: 0.25,
    });
  }

  static start(node: Node, options: PlacementOptions = {}): Placement {
    const p = new Placement(node, options);
    p.reporter.start();
    for (const [fn, impl] of Object.entries(placementFunctions(p))) node.registerFunction(fn, impl);
    node.addShutdownHook('placement', () => p.stop());
    return p;
  }

  // ---- attributes and distance ----

  /** Set a user-defined attribute here; peers hear of it at once (not at the next refresh). */
  setAttribute(name: string, value: AttributeValue): void {
    if (this.local.set(name, value)) this.reporter.changed();
  }

  deleteAttribute(name: string): boolean {
    const had = this.local.delete(name);
    if (had) this.reporter.changed();
    return had;
  }

  /** A node's attributes as last reported here (this node's own by default). */
  attributes(node: string = this.node.name): Attributes | undefined {
    return this.view.get(node)?.attributes;
  }

  /** Every node this node knows, name order. */
  nodes(): NodeReport[] {
    const now = performance.now();
    return this.view.names().map((n) => {
      const e = this.view.get(n)!;
      return { node: n, attributes: e.attributes, location: e.location, age: Math.round(now - e.receivedAt), rtt: e.rtt };
    });
  }

  /** Smoothed measured round trip to `node` in ms (undefined until measured). */
  rtt(node: string): number | undefined {
    return this.view.get(node)?.rtt;
  }

  /** Known nodes whose measured round trip is at most `ms`, nearest first. */
  nodesWithin(ms: number): Array<{ node: string; rtt: number }> {
    if (!(ms >= 0)) throw new InvalidArgumentError('ms', 'milliseconds >= 0');
    const out: Array<{ node: string; rtt: number }> = [];
    for (const e of this.view.all()) if (e.rtt !== undefined && e.rtt <= ms) out.push({ node: e.name, rtt: e.rtt });
    return out.sort((a, b) => a.rtt - b.rtt || (a.node < b.node ? -1 : 1));
  }

  /** The distance between two known nodes: the narrowest level they share and the ultrametric number. */
  distance(a: string, b: string = this.node.name): { level: string; ultrametric: number } {
    const la = this.view.get(a)?.location ?? {};
    const lb = this.view.get(b)?.location ?? {};
    return { level: commonLevel(a === b, la, lb, this.view.levels), ultrametric: ultrametric(a === b, la, lb, this.view.levels) };
  }

  /** Call `listener` on every change of the view (a report, a round trip, a node gone). */
  subscribe(listener: ViewListener): () => void {
    return this.view.subscribe(listener);
  }

  // ---- choosing ----

  /** Compile a spec (or look a policy up) once, for repeated decisions. */
  compile(spec: SpecRef): PlacementQuery {
    if (spec instanceof PlacementQuery) return spec;
    if (typeof spec === 'string') {
      const q = this.policies.get(spec);
      if (q === undefined) throw new UnknownPlacementPolicyError(spec, this.node.name);
      return q;
    }
    let q = this.compiled.get(spec);
    if (q === undefined) {
      // Checked before the text lookup: two specs can print alike and differ (a pid and its printed form).
      const normal = normalizeSpec(spec, this.view.levels);
      const text = describeSpec({ ...spec, key: undefined });
      q = this.byText.get(text);
      if (q === undefined) {
        q = new PlacementQuery(normal, text, this.host);
        if (this.byText.size >= COMPILED_TEXT_LIMIT) this.byText.delete(this.byText.keys().next().value!);
        this.byText.set(text, q);
      }
      this.compiled.set(spec, q);
    }
    return q;
  }

  /** The key of a decision: an inline spec's own (its query may be shared with other keys), else the query's. */
  private keyOf(spec: SpecRef, q: PlacementQuery): string | undefined {
    return typeof spec === 'object' && !(spec instanceof PlacementQuery) ? spec.key : q.spec.key;
  }

  /** Choose nodes for the spec (`count` defaults to the spec's, else 1). NoEligibleNodeError when none fits. */
  chooseNodes(spec: SpecRef, count?: number): string[] {
    const q = this.compile(spec);
    const n = count ?? q.spec.count;
    if (!(Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError('count', 'an integer >= 1');
    return this.decide(q, n, this.keyOf(spec, q));
  }

  chooseNode(spec: SpecRef): string {
    const q = this.compile(spec);
    return this.decide(q, 1, this.keyOf(spec, q))[0]!;
  }

  /** Every known node with the constraint that excluded it or its score, and what would be chosen now. */
  explain(spec: SpecRef): Explanation {
    const q = this.compile(spec);
    const key = this.keyOf(spec, q);
    const candidates = q.explain(key);
    let chosen: string[] = [];
    try {
      chosen = choose(q, q.spec.count, this.node.name, this.random, key);
    } catch (e) {
      if (!(e instanceof NoEligibleNodeError)) throw e;
    }
    return { node: this.node.name, spec: q.label, strategy: q.spec.strategy, chosen, candidates };
  }

  policyNames(): string[] {
    return [...this.policies.keys()].sort();
  }

  // ---- spawning ----

  /**
   * Spawn `type(args)` where the spec says: one decision, then one remote spawn (a local one when
   * this node is chosen). When the chosen node goes away before the spawn, it chooses again
   * without it (`retries`). NoEligibleNodeError, with the explanation, when nothing fits.
   */
  async spawnPlaced(type: string, args: readonly unknown[], spec: SpecRef, options: PlacedSpawnOptions = {}): Promise<Placed> {
    checkSpawnOptions(options);
    const q = this.compile(spec);
    const key = this.keyOf(spec, q);
    let retries = options.retries ?? 2;
    const skip: string[] = [];
    for (;;) {
      const node = skip.length === 0 ? this.decide(q, 1, key)[0]! : this.chooseAvoiding(q, skip, key);
      try {
        const placed = await spawnOn(this.node, node, type, args, options);
        this.view.notePlaced(node);
        return placed;
      } catch (e) {
        if (!isUnreachable(e) || retries-- <= 0) throw e;
        skip.push(node);
      }
    }
  }

  /** Spawn `count` processes (default the spec's count) as one decision: spread and pack apply. */
  async spawnManyPlaced(type: string, args: readonly unknown[], spec: SpecRef, options: PlacedSpawnOptions & { readonly count?: number } = {}): Promise<Placed[]> {
    checkSpawnOptions(options);
    const nodes = this.chooseNodes(spec, options.count);
    const placed = await Promise.all(nodes.map((n) => spawnOn(this.node, n, type, args, options)));
    for (const p of placed) this.view.notePlaced(p.node);
    return placed;
  }

  /**
   * A supervisor child spec whose child is started where placement says, linked to the
   * supervisor. When the child's node goes down the supervisor gets its exit (noconnection) and
   * restarts it: placement chooses again, and the dead node is no longer in the view.
   */
  childSpec(child: PlacedChildSpec): PlacedChild {
    const q = this.compile(child.placement);
    const { placement: _p, type, args, name, ...rest } = child;
    return {
      ...rest,
      start: async (ctx: ProcessContext) => (await this.spawnPlaced(type, args ?? [], q, { from: ctx, link: true, ...(name !== undefined ? { name } : {}) })).pid,
    };
  }

  private chooseAvoiding(q: PlacementQuery, skip: readonly string[], key: string | undefined): string {
    const spec: PlacementSpec = { ...specOf(q), ...(key !== undefined ? { key } : {}), exclude: [...q.spec.exclude, ...skip] };
    return this.decide(q, 1, key, new PlacementQuery(normalizeSpec(spec, this.view.levels), q.label, this.host))[0]!;
  }

  /** One decision for `q` (made with `query`, default `q`), counted for decisionStats (explain is not a decision). */
  private decide(q: PlacementQuery, count: number, key: string | undefined, query: PlacementQuery = q): string[] {
    const label = this.policies.get(q.label) === q ? q.label : 'inline';
    let c = this.decided.get(label);
    if (c === undefined) this.decided.set(label, (c = { decisions: 0, failures: 0 }));
    try {
      const nodes = choose(query, count, this.node.name, this.random, key);
      c.decisions++;
      for (const n of nodes) this.picked.set(n, (this.picked.get(n) ?? 0) + 1);
      return nodes;
    } catch (e) {
      c.failures++;
      throw e;
    }
  }

  /** Decisions made here so far by policy name (`inline` for specs given inline) and how often each node was chosen. Read-only, for metrics. */
  decisionStats(): { readonly byPolicy: Record<string, { readonly decisions: number; readonly failures: number }>; readonly chosen: Record<string, number> } {
    const byPolicy: Record<string, { decisions: number; failures: number }> = {};
    for (const [label, c] of this.decided) byPolicy[label] = { ...c };
    return { byPolicy, chosen: Object.fromEntries(this.picked) };
  }

  info(): PlacementInfo {
    return {
      node: this.node.name,
      nodes: this.view.size,
      levels: this.view.levels,
      location: this.location,
      policies: this.policyNames(),
      reportsSent: this.reporter.sent,
      probesSent: this.reporter.probesSent,
      droppedMessages: this.reporter.dropped,
    };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reporter.stop();
    this.local.stop();
    this.groups?.stop();
  }
}

/** A supervisor child placed by a spec (see Placement.childSpec). */
export interface PlacedChildSpec {
  readonly id: string;
  /** A process type name defined on the candidate nodes. */
  readonly type: string;
  readonly args?: readonly unknown[];
  /** A local name on the node it runs on. */
  readonly name?: string;
  readonly placement: SpecRef;
  readonly restart?: 'permanent' | 'transient' | 'temporary';
  readonly shutdown?: 'brutal_kill' | 'infinity' | number;
  readonly kind?: 'worker' | 'supervisor';
}

/** The child spec a supervisor takes (its start function chooses the node each time). */
export interface PlacedChild {
  readonly id: string;
  readonly start: (ctx: ProcessContext) => Promise<Pid>;
  readonly restart?: 'permanent' | 'transient' | 'temporary';
  readonly shutdown?: 'brutal_kill' | 'infinity' | number;
  readonly kind?: 'worker' | 'supervisor';
}

function checkLocation(loc: unknown): Location {
  if (typeof loc !== 'object' || loc === null || Array.isArray(loc)) throw new InvalidArgumentError('location', 'a mapping of level -> value');
  for (const [k, v] of Object.entries(loc)) if (typeof v !== 'string') throw new InvalidArgumentError(`location.${k}`, 'a string');
  return loc as Location;
}

/** The spec a query was compiled from, as data (for a variant with more nodes excluded). */
function specOf(q: PlacementQuery): PlacementSpec {
  const s = q.spec;
  return {
    ...(s.groups.length > 0 ? { group: s.groups } : {}),
    ...(s.where.length > 0 ? { where: Object.fromEntries(s.where) } : {}),
    ...(s.near.length > 0 ? { near: s.near } : {}),
    ...(s.away.length > 0 ? { away: s.away } : {}),
    self: s.self,
    ...(s.maxAge !== undefined ? { maxAge: s.maxAge } : {}),
    strategy: s.strategy,
    ...(s.strategy === 'least_loaded' ? { loadAttribute: s.loadAttribute } : {}),
  };
}
