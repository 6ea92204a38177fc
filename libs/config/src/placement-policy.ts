/**
 * Placement policies: the `placement` section (policy name -> policy) read into typed
 * PlacementPolicyConfig values, `maxAge` in milliseconds, with the checks the schema cannot make:
 * distance levels against `locationLevels`, and the fields that only make sense together (node or
 * name, scope with name, rtt from the caller, near with within or rtt, away with a target,
 * strategy key and its key, loadAttribute and least_loaded, spread or pack with more than one
 * node). The shape and the rules are those of @sdnode/placement's PlacementSpec and its
 * normalizeSpec; config imports no other layer, so the two are kept alike by hand.
 */
import {
  PLACEMENT_STRATEGIES,
  type AttributeValue,
  type PlacementAttributeCondition,
  type PlacementAway,
  type PlacementNear,
  type PlacementPolicyConfig,
  type PlacementStrategy,
} from './cluster-config.js';
import type { PathProblem, PathSegment } from './source-document.js';
import { asArray, asBoolean, asObject, asString, isScalar, parseDuration, type RawObject } from './values.js';

/** The distance level of the node itself (distance 0), below every location level. */
export const NODE_LEVEL = 'node';
/** The distance level of the whole cluster (distance 1), above every location level. */
export const ANYWHERE_LEVEL = 'anywhere';

/** The strategy of a policy that names none (the placement layer's default). */
const DEFAULT_STRATEGY: PlacementStrategy = 'least_loaded';

/**
 * The policies of the `placement` section `raw` (absent: none). Like the rest of the normaliser it
 * reads values of the wrong shape as absent, the schema having reported them; the checks the
 * schema cannot make are pushed onto `problems`. `levels` are the file's location levels.
 */
export function normalisePlacement(raw: unknown, levels: readonly string[], problems: PathProblem[]): Record<string, PlacementPolicyConfig> {
  const policies: [string, PlacementPolicyConfig][] = [];
  for (const [name, policy] of Object.entries(asObject(raw) ?? {})) {
    if (asObject(policy) === undefined) continue; // the schema reported it
    policies.push([name, normalisePlacementPolicy(policy, ['placement', name], levels, problems)]);
  }
  // fromEntries (not assignment) so that a policy named __proto__ stays an ordinary key.
  return Object.fromEntries(policies);
}

/** One policy (a mapping) at `path`, normalised and checked. */
export function normalisePlacementPolicy(
  raw: unknown,
  path: readonly PathSegment[],
  levels: readonly string[],
  problems: PathProblem[],
): PlacementPolicyConfig {
  const f = asObject(raw) ?? {};
  const at = (...rest: PathSegment[]): PathSegment[] => [...path, ...rest];
  const check = new Checks(levels, problems);

  const strategy = PLACEMENT_STRATEGIES.find((s) => s === f['strategy']);
  /** The strategy in effect, or undefined when the file gives one the schema rejected. */
  const effective = f['strategy'] === undefined ? DEFAULT_STRATEGY : strategy;
  const key = nonEmpty(f['key']);
  const loadAttribute = nonEmpty(f['loadAttribute']);
  const count = countOf(f['count']);
  const spread = nonEmpty(f['spread']);
  const pack = asBoolean(f['pack']);
  const maxAge = parseDuration(f['maxAge']);

  if (maxAge === 0) {
    check.problem(at('maxAge'), 'maxAge must be at least 1 ms: a node whose attributes were last heard of longer ago than maxAge is not eligible');
  }

  if (spread !== undefined) check.level(spread, at('spread'));
  if (strategy === 'key' && f['key'] === undefined) {
    check.problem(at('strategy'), 'strategy key needs a key: the value whose consistent hash picks the node');
  }
  if (key !== undefined && effective !== undefined && effective !== 'key') {
    check.problem(at('key'), `key is only used by strategy key (this policy's strategy is ${describeStrategy(strategy)}): add strategy: key, or remove key`);
  }
  if (loadAttribute !== undefined && effective !== undefined && effective !== 'least_loaded') {
    check.problem(at('loadAttribute'), `loadAttribute is only used by strategy least_loaded (this policy's strategy is ${describeStrategy(strategy)})`);
  }
  if (spread !== undefined && pack === true) {
    check.problem(at('pack'), 'spread and pack are exclusive: spread puts the picks in different values of a level, pack puts them all on one node; give one of them');
  }
  // A count the schema rejected is left to the schema's message.
  const countKnown = f['count'] === undefined || count !== undefined;
  const single = countKnown && (count ?? 1) <= 1;
  const countIs = count === undefined ? 'count is not given, so 1' : 'count is 1';
  if (spread !== undefined && single) {
    check.problem(at('spread'), `spread needs a count greater than 1: one node cannot be spread (${countIs})`);
  }
  if (pack === true && spread === undefined && single) {
    check.problem(at('pack'), `pack needs a count greater than 1: one node cannot be packed (${countIs})`);
  }

  return defined<PlacementPolicyConfig>({
    group: groupOf(f['group']),
    where: whereOf(f['where']),
    near: oneOrMany(f['near'], at('near'), (entry, p) => check.near(entry, p)),
    away: oneOrMany(f['away'], at('away'), (entry, p) => check.away(entry, p)),
    self: f['self'] === 'include' || f['self'] === 'exclude' ? f['self'] : undefined,
    exclude: strings(f['exclude']),
    maxAge,
    strategy,
    key,
    loadAttribute,
    count,
    spread,
    pack,
  });
}

/** The checks of a policy's parts, and the reads of `near` and `away` entries. */
class Checks {
  constructor(
    private readonly levels: readonly string[],
    private readonly problems: PathProblem[],
  ) {}

  problem(path: readonly PathSegment[], message: string): void {
    this.problems.push({ path, message });
  }

  /** A distance level: node, one of the file's location levels, or anywhere. */
  level(level: string, path: readonly PathSegment[]): void {
    if (level === NODE_LEVEL || level === ANYWHERE_LEVEL || this.levels.includes(level)) return;
    this.problem(
      path,
      `unknown distance level "${level}"; expected ${NODE_LEVEL}, a location level (${this.levels.join(', ')}) or ${ANYWHERE_LEVEL} (see locationLevels)`,
    );
  }

  near(entry: RawObject, path: readonly PathSegment[]): PlacementNear {
    const target = this.target(entry, path, 'near');
    const within = entry['within'];
    const rtt = typeof entry['rtt'] === 'number' && Number.isFinite(entry['rtt']) ? entry['rtt'] : undefined;
    if (within === undefined && entry['rtt'] === undefined) {
      this.problem(path, 'a near constraint needs within (a level or a distance) or rtt: how near (within: anywhere names only the node strategy nearest measures from)');
    }
    if (typeof within === 'string' && within !== '') this.level(within, [...path, 'within']);
    if (rtt !== undefined && (target.node !== undefined || target.name !== undefined)) {
      this.problem([...path, 'rtt'], 'rtt is measured from the calling node: it cannot be combined with node or name');
    }
    return defined<PlacementNear>({
      ...target,
      within: typeof within === 'number' || (typeof within === 'string' && within !== '') ? within : undefined,
      rtt,
    });
  }

  away(entry: RawObject, path: readonly PathSegment[]): PlacementAway {
    const target = this.target(entry, path, 'away');
    if (entry['node'] === undefined && entry['name'] === undefined) {
      this.problem(path, 'an away constraint needs node or name: what to keep away from (self: exclude keeps the calling node out)');
    }
    const level = nonEmpty(entry['level']);
    if (level !== undefined) this.level(level, [...path, 'level']);
    return defined<PlacementAway>({ ...target, level });
  }

  /** What a near or away entry is relative to: a node, a registered name (in a scope), or the caller. */
  private target(entry: RawObject, path: readonly PathSegment[], kind: 'near' | 'away'): { node?: string; name?: string; scope?: string } {
    const node = nonEmpty(entry['node']);
    const name = nonEmpty(entry['name']);
    const scope = nonEmpty(entry['scope']);
    if (node !== undefined && name !== undefined) {
      this.problem([...path, 'name'], `${kind === 'near' ? 'a near' : 'an away'} constraint is relative to a node or to a registered name, not both: give node or name`);
    }
    if (scope !== undefined && entry['name'] === undefined) {
      this.problem([...path, 'scope'], 'scope is the registry scope of name: give it only together with name');
    }
    return { node, name, scope };
  }
}

function describeStrategy(strategy: PlacementStrategy | undefined): string {
  return strategy ?? `${DEFAULT_STRATEGY}, the default`;
}

/** A single mapping or a list of them, each read by `read` (entries of the wrong shape left out). */
function oneOrMany<T>(
  value: unknown,
  path: readonly PathSegment[],
  read: (entry: RawObject, path: readonly PathSegment[]) => T,
): T | T[] | undefined {
  const list = asArray(value);
  if (list !== undefined) {
    return list.flatMap((item, i) => {
      const entry = asObject(item);
      return entry === undefined ? [] : [read(entry, [...path, i])];
    });
  }
  const entry = asObject(value);
  return entry === undefined ? undefined : read(entry, path);
}

function groupOf(value: unknown): string | string[] | undefined {
  return nonEmpty(value) ?? strings(value);
}

function whereOf(value: unknown): Record<string, PlacementAttributeCondition> | undefined {
  const fields = asObject(value);
  if (fields === undefined) return undefined;
  const conditions: [string, PlacementAttributeCondition][] = [];
  for (const [attribute, condition] of Object.entries(fields)) {
    if (isScalar(condition)) conditions.push([attribute, condition]);
    else if (asObject(condition) !== undefined) conditions.push([attribute, conditionOf(asObject(condition) ?? {})]);
  }
  return Object.fromEntries(conditions);
}

function conditionOf(c: RawObject): PlacementAttributeCondition {
  const value = (v: unknown): AttributeValue | undefined => (isScalar(v) ? v : undefined);
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const list = asArray(c['in']);
  return defined<Exclude<PlacementAttributeCondition, AttributeValue>>({
    eq: value(c['eq']),
    ne: value(c['ne']),
    lt: num(c['lt']),
    le: num(c['le']),
    gt: num(c['gt']),
    ge: num(c['ge']),
    in: list === undefined ? undefined : list.filter(isScalar),
    exists: asBoolean(c['exists']),
  });
}

/** An integer of at least 1, else undefined. */
function countOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  const s = asString(value);
  return s === '' ? undefined : s;
}

function strings(value: unknown): string[] | undefined {
  return asArray(value)?.filter((x): x is string => typeof x === 'string');
}

/** `fields` without the fields whose value is undefined (so that absent stays absent when cloned or written). */
function defined<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}
