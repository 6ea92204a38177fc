import { InvalidPlacementSpecError, Pid } from '@sdnode/wire';
import type { AttributeValue } from './attributes.js';

/**
 * What a program asks of placement: filters (which nodes may run the process) and a strategy
 * (which of them). Plain data, so the same spec is written inline, stored as a named policy in
 * the cluster file's `placement` section, and sent to another node (`sdnode placement explain`).
 * Only `pid` targets are not expressible in a file.
 */

/** A level of the location hierarchy: `node`, one of the cluster's `locationLevels`, or `anywhere`. */
export type DistanceLevel = string;

/** An attribute predicate: a value (shorthand for `eq`) or operators, all of which must hold. */
export type AttributeCondition =
  | AttributeValue
  | {
      readonly eq?: AttributeValue;
      readonly ne?: AttributeValue;
      readonly lt?: number;
      readonly le?: number;
      readonly gt?: number;
      readonly ge?: number;
      readonly in?: readonly AttributeValue[];
      readonly exists?: boolean;
    };

/** The node a proximity constraint is measured from: a node, a pid's node or a registered name's node. */
export interface PlacementTarget {
  readonly node?: string;
  readonly pid?: Pid;
  /** A registered name, looked up in `scope` (default the global scope) at each decision. */
  readonly name?: string;
  readonly scope?: string;
}

/**
 * Near the target (default the calling node): `within` a level (sharing every location level down
 * to it) or an ultrametric distance (closed disc, 0..1); `rtt` in ms, measured from the calling node.
 */
export interface NearSpec extends PlacementTarget {
  readonly within?: DistanceLevel | number;
  readonly rtt?: number;
}

/** Away from the target (anti-affinity): not sharing `level` with it (default `node`: not on its node). */
export interface AwaySpec extends PlacementTarget {
  readonly level?: DistanceLevel;
}

export type StrategyName = 'least_loaded' | 'random' | 'round_robin' | 'nearest' | 'key' | 'first';

export interface PlacementSpec {
  /** s_group(s) the node must be a member of (all of them). */
  readonly group?: string | readonly string[];
  /** Attribute name -> condition. */
  readonly where?: Readonly<Record<string, AttributeCondition>>;
  readonly near?: NearSpec | readonly NearSpec[];
  readonly away?: AwaySpec | readonly AwaySpec[];
  /** May the calling node be chosen? Default `include`. */
  readonly self?: 'include' | 'exclude';
  /** Nodes never chosen. */
  readonly exclude?: readonly string[];
  /** A node whose attributes were last heard of longer ago than this (ms) is not eligible. */
  readonly maxAge?: number;
  /** Default `least_loaded`. */
  readonly strategy?: StrategyName;
  /** The key of strategy `key` (consistent hashing over the eligible nodes). */
  readonly key?: string;
  /** The attribute least_loaded compares (default `load`; lower is less loaded). */
  readonly loadAttribute?: string;
  /** How many nodes (processes) to choose; default 1. */
  readonly count?: number;
  /** With count > 1: each in a different value of this level while such values remain. */
  readonly spread?: DistanceLevel;
  /** With count > 1: all on the one node the strategy chooses. */
  readonly pack?: boolean;
}

export type NormalCondition = {
  readonly eq?: AttributeValue;
  readonly ne?: AttributeValue;
  readonly lt?: number;
  readonly le?: number;
  readonly gt?: number;
  readonly ge?: number;
  readonly in?: readonly AttributeValue[];
  readonly exists?: boolean;
};

/** A spec checked against the cluster's location levels, lists made lists and defaults filled in. */
export interface NormalSpec {
  readonly groups: readonly string[];
  readonly where: ReadonlyArray<readonly [string, NormalCondition]>;
  readonly near: readonly NearSpec[];
  readonly away: readonly AwaySpec[];
  readonly self: 'include' | 'exclude';
  readonly exclude: readonly string[];
  readonly maxAge: number | undefined;
  readonly strategy: StrategyName;
  readonly key: string | undefined;
  readonly loadAttribute: string;
  readonly count: number;
  readonly spread: DistanceLevel | undefined;
  readonly pack: boolean;
}

const STRATEGIES: ReadonlySet<string> = new Set(['least_loaded', 'random', 'round_robin', 'nearest', 'key', 'first']);
const SPEC_KEYS: ReadonlySet<string> = new Set(['group', 'where', 'near', 'away', 'self', 'exclude', 'maxAge', 'strategy', 'key', 'loadAttribute', 'count', 'spread', 'pack']);
const OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'exists']);

const bad = (field: string, reason: string): never => {
  throw new InvalidPlacementSpecError(field, reason);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Pid);
const isScalar = (v: unknown): v is AttributeValue => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
const listOf = <T>(v: T | readonly T[] | undefined): readonly T[] => (v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T]);

/** Is `level` a level of this cluster's hierarchy (or `node` / `anywhere`)? */
export function isLevel(level: unknown, levels: readonly string[]): level is DistanceLevel {
  return typeof level === 'string' && (level === 'node' || level === 'anywhere' || levels.includes(level));
}

function checkCondition(field: string, c: unknown): NormalCondition {
  if (isScalar(c)) return { eq: c };
  if (!isObject(c)) return bad(field, 'a value or a mapping of operators (eq ne lt le gt ge in exists)');
  const ops = Object.keys(c);
  if (ops.length === 0) bad(field, 'no operator');
  for (const op of ops) {
    if (!OPERATORS.has(op)) bad(`${field}.${op}`, 'unknown operator (eq ne lt le gt ge in exists)');
    const v = c[op];
    if ((op === 'eq' || op === 'ne') && !isScalar(v)) bad(`${field}.${op}`, 'a string, number or boolean');
    if (['lt', 'le', 'gt', 'ge'].includes(op) && !(typeof v === 'number' && Number.isFinite(v))) bad(`${field}.${op}`, 'a number');
    if (op === 'in' && !(Array.isArray(v) && v.every(isScalar))) bad(`${field}.in`, 'a list of values');
    if (op === 'exists' && typeof v !== 'boolean') bad(`${field}.exists`, 'true or false');
  }
  return c as NormalCondition;
}

function checkTarget(field: string, t: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of Object.keys(t)) if (!keys.includes(k)) bad(`${field}.${k}`, `unknown field (expected ${keys.join(', ')})`);
  const named = ['node', 'pid', 'name'].filter((k) => t[k] !== undefined);
  if (named.length > 1) bad(field, `names ${named.join(' and ')}: at most one target`);
  if (t['node'] !== undefined && typeof t['node'] !== 'string') bad(`${field}.node`, 'a node name');
  if (t['pid'] !== undefined && !(t['pid'] instanceof Pid)) bad(`${field}.pid`, 'a pid');
  if (t['name'] !== undefined && typeof t['name'] !== 'string') bad(`${field}.name`, 'a registered name');
  if (t['scope'] !== undefined && (typeof t['scope'] !== 'string' || t['name'] === undefined)) bad(`${field}.scope`, 'a scope name, with name');
}

function checkNear(field: string, n: unknown, levels: readonly string[]): NearSpec {
  if (!isObject(n)) return bad(field, 'a mapping (node/pid/name, within, rtt)');
  checkTarget(field, n, ['node', 'pid', 'name', 'scope', 'within', 'rtt']);
  const within = n['within'];
  if (within !== undefined && !isLevel(within, levels) && !(typeof within === 'number' && within >= 0 && within <= 1)) {
    bad(`${field}.within`, `a level (node, ${levels.join(', ')}, anywhere) or a distance in [0, 1]`);
  }
  const rtt = n['rtt'];
  if (rtt !== undefined) {
    if (!(typeof rtt === 'number' && rtt > 0 && Number.isFinite(rtt))) bad(`${field}.rtt`, 'milliseconds > 0');
    if (n['node'] !== undefined || n['pid'] !== undefined || n['name'] !== undefined) bad(`${field}.rtt`, 'round trips are measured from the calling node: no target with rtt');
  }
  if (within === undefined && rtt === undefined) bad(field, 'needs within or rtt');
  return n as NearSpec;
}

function checkAway(field: string, a: unknown, levels: readonly string[]): AwaySpec {
  if (!isObject(a)) return bad(field, 'a mapping (node/pid/name, level)');
  checkTarget(field, a, ['node', 'pid', 'name', 'scope', 'level']);
  if (a['node'] === undefined && a['pid'] === undefined && a['name'] === undefined) bad(field, 'needs a node, pid or name');
  if (a['level'] !== undefined && !isLevel(a['level'], levels)) bad(`${field}.level`, `a level (node, ${levels.join(', ')}, anywhere)`);
  return a as AwaySpec;
}

/** Check a spec (from a program, a file or another node) and fill in its defaults. */
export function normalizeSpec(spec: unknown, levels: readonly string[]): NormalSpec {
  if (!isObject(spec)) return bad('spec', 'a mapping');
  for (const k of Object.keys(spec)) if (!SPEC_KEYS.has(k)) bad(k, 'unknown field');
  const s = spec as PlacementSpec;
  const groups = listOf(s.group);
  if (!groups.every((g) => typeof g === 'string' && g.length > 0)) bad('group', 'an s_group name or a list of them');
  if (s.where !== undefined && !isObject(s.where)) bad('where', 'a mapping of attribute -> condition');
  const where = Object.entries(s.where ?? {}).map(([k, c]) => [k, checkCondition(`where.${k}`, c)] as const);
  const near = listOf(s.near).map((n, i) => checkNear(Array.isArray(s.near) ? `near[${i}]` : 'near', n, levels));
  const away = listOf(s.away).map((a, i) => checkAway(Array.isArray(s.away) ? `away[${i}]` : 'away', a, levels));
  if (s.self !== undefined && s.self !== 'include' && s.self !== 'exclude') bad('self', 'include or exclude');
  if (s.exclude !== undefined && !(Array.isArray(s.exclude) && s.exclude.every((n) => typeof n === 'string'))) bad('exclude', 'a list of node names');
  if (s.maxAge !== undefined && !(typeof s.maxAge === 'number' && s.maxAge > 0)) bad('maxAge', 'milliseconds > 0');
  const strategy = s.strategy ?? 'least_loaded';
  if (!STRATEGIES.has(strategy)) bad('strategy', `one of ${[...STRATEGIES].join(', ')}`);
  if (strategy === 'key' && !(typeof s.key === 'string' && s.key.length > 0)) bad('key', 'strategy key needs a key');
  if (strategy !== 'key' && s.key !== undefined) bad('key', 'only with strategy key');
  if (s.loadAttribute !== undefined && (strategy !== 'least_loaded' || typeof s.loadAttribute !== 'string')) bad('loadAttribute', 'an attribute name, with strategy least_loaded');
  const count = s.count ?? 1;
  if (!(Number.isInteger(count) && count >= 1)) bad('count', 'an integer >= 1');
  if (s.spread !== undefined && !isLevel(s.spread, levels)) bad('spread', `a level (node, ${levels.join(', ')}, anywhere)`);
  if (s.pack !== undefined && typeof s.pack !== 'boolean') bad('pack', 'true or false');
  if (s.spread !== undefined && s.pack === true) bad('spread', 'spread and pack exclude each other');
  if ((s.spread !== undefined || s.pack === true) && count < 2) bad(s.spread !== undefined ? 'spread' : 'pack', 'only with count > 1');
  return {
    groups,
    where,
    near,
    away,
    self: s.self ?? 'include',
    exclude: s.exclude ?? [],
    maxAge: s.maxAge,
    strategy,
    key: s.key,
    loadAttribute: s.loadAttribute ?? 'load',
    count,
    spread: s.spread,
    pack: s.pack === true,
  };
}

/** A short printable form of a spec, for errors and logs. */
export function describeSpec(spec: PlacementSpec | string): string {
  if (typeof spec === 'string') return spec;
  return JSON.stringify(spec, (_k, v: unknown) => (v instanceof Pid ? v.toString() : v));
}
