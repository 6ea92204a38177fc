import type { AttributeValue } from './attributes.js';
import type { NodeEntry } from './cluster-view.js';
import { levelDepth, sharedLevels, ultrametric, withinLevel, type Location } from './distance.js';
import type { NormalCondition, NormalSpec, PlacementTarget } from './placement-spec.js';

/**
 * A spec's filters, compiled once: each tests one node entry and has a label that explains it
 * when it excludes a node (`sdnode placement explain`). Filters that measure from a target (a
 * node, a pid's node, a registered name's node) read it from the context, resolved per decision.
 */

/** Which s_groups a node is in, as this node knows them. */
export interface GroupSource {
  /** Changes whenever a group's members change. */
  readonly version: number;
  isMember(group: string, node: string): boolean;
}

export interface FilterContext {
  readonly self: string;
  readonly levels: readonly string[];
  /** Monotonic ms (for maxAge). */
  readonly now: number;
  readonly groups: GroupSource | undefined;
  /** Resolved target node per target index (undefined: not resolvable, e.g. a name not registered). */
  readonly targets: readonly (string | undefined)[];
  /** The target node's location (empty when the node is not known here). */
  locationOf(node: string): Location;
}

export interface Filter {
  readonly label: string;
  test(e: NodeEntry, ctx: FilterContext): boolean;
  /** When set, an eligible node stops being eligible at this time (maxAge). */
  readonly expiresAt?: (e: NodeEntry) => number;
}

export function describeTarget(t: PlacementTarget): string {
  if (t.pid !== undefined) return `pid ${t.pid.toString()}`;
  if (t.name !== undefined) return `name ${t.scope !== undefined ? `${t.scope}:` : ''}${t.name}`;
  if (t.node !== undefined) return `node ${t.node}`;
  return 'this node';
}

const fmt = (v: AttributeValue): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function conditionTest(c: NormalCondition): (v: AttributeValue | undefined) => boolean {
  const checks: Array<(v: AttributeValue | undefined) => boolean> = [];
  if (c.exists !== undefined) checks.push((v) => (v !== undefined) === c.exists);
  if (c.eq !== undefined) checks.push((v) => v === c.eq);
  if (c.ne !== undefined) checks.push((v) => v !== undefined && v !== c.ne);
  if (c.lt !== undefined) checks.push((v) => typeof v === 'number' && v < c.lt!);
  if (c.le !== undefined) checks.push((v) => typeof v === 'number' && v <= c.le!);
  if (c.gt !== undefined) checks.push((v) => typeof v === 'number' && v > c.gt!);
  if (c.ge !== undefined) checks.push((v) => typeof v === 'number' && v >= c.ge!);
  if (c.in !== undefined) {
    const set = new Set<AttributeValue>(c.in);
    checks.push((v) => v !== undefined && set.has(v));
  }
  if (checks.length === 1) return checks[0]!;
  return (v) => checks.every((f) => f(v));
}

function conditionLabel(name: string, c: NormalCondition): string {
  const parts = Object.entries(c).map(([op, v]) => `${op} ${Array.isArray(v) ? `[${v.map(fmt).join(', ')}]` : fmt(v as AttributeValue)}`);
  return `where ${name} ${parts.join(', ')}`;
}

/** The targets of a spec's near and away constraints, in that order (indices into FilterContext.targets). */
export function targetsOf(spec: NormalSpec): PlacementTarget[] {
  return [...spec.near, ...spec.away];
}

export function compileFilters(spec: NormalSpec): Filter[] {
  const filters: Filter[] = [];
  if (spec.self === 'exclude') filters.push({ label: 'self excluded', test: (e, ctx) => e.name !== ctx.self });
  if (spec.exclude.length > 0) {
    const excluded = new Set(spec.exclude);
    filters.push({ label: 'excluded', test: (e) => !excluded.has(e.name) });
  }
  for (const group of spec.groups) {
    filters.push({ label: `not in s_group ${group}`, test: (e, ctx) => ctx.groups !== undefined && ctx.groups.isMember(group, e.name) });
  }
  if (spec.maxAge !== undefined) {
    const maxAge = spec.maxAge;
    filters.push({
      label: `attributes older than ${maxAge} ms`,
      test: (e, ctx) => e.name === ctx.self || ctx.now - e.receivedAt <= maxAge,
      expiresAt: (e) => e.receivedAt + maxAge,
    });
  }
  for (const [name, c] of spec.where) {
    const test = conditionTest(c);
    filters.push({ label: conditionLabel(name, c), test: (e) => test(e.attributes[name]) });
  }
  spec.near.forEach((near, i) => {
    const from = describeTarget(near);
    if (near.within !== undefined) {
      const within = near.within;
      if (typeof within === 'number') {
        filters.push({
          label: `farther than ${within} from ${from}`,
          test: (e, ctx) => {
            const t = ctx.targets[i];
            return t !== undefined && ultrametric(e.name === t, e.location, ctx.locationOf(t), ctx.levels) <= within;
          },
        });
      } else {
        filters.push({
          label: `not within ${within} of ${from}`,
          test: (e, ctx) => {
            const t = ctx.targets[i];
            return t !== undefined && withinLevel(e.name === t, e.location, ctx.locationOf(t), within, ctx.levels);
          },
        });
      }
    }
    if (near.rtt !== undefined) {
      const rtt = near.rtt;
      filters.push({ label: `round trip over ${rtt} ms (or not measured)`, test: (e) => e.rtt !== undefined && e.rtt <= rtt });
    }
  });
  spec.away.forEach((away, j) => {
    const i = spec.near.length + j;
    const level = away.level ?? 'node';
    filters.push({
      label: `within ${level} of ${describeTarget(away)} (away)`,
      test: (e, ctx) => {
        const t = ctx.targets[i];
        if (t === undefined) return true;
        if (e.name === t) return false;
        const depth = levelDepth(level, ctx.levels);
        return depth === Number.POSITIVE_INFINITY || sharedLevels(e.location, ctx.locationOf(t), ctx.levels) < depth;
      },
    });
  });
  return filters;
}

/** The first filter that excludes `e`, or undefined when every filter passes. */
export function firstFailing(filters: readonly Filter[], e: NodeEntry, ctx: FilterContext): Filter | undefined {
  for (const f of filters) if (!f.test(e, ctx)) return f;
  return undefined;
}
