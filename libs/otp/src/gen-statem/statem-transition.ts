import { isPid, isRef, BadReturnError, type ExitReason } from '@sdnode/wire';
import type { From } from '../gen-server/types.js';
import type { StatemEvent } from './types.js';

/** A state callback's result, checked and taken apart. */
export interface ParsedTransition {
  readonly kind: 'next' | 'keep' | 'repeat' | 'stop';
  /** For `next`. */
  readonly state: unknown;
  readonly hasData: boolean;
  readonly data: unknown;
  readonly reason: ExitReason | null;
  readonly postpone: boolean;
  readonly replies: readonly { readonly to: From<unknown>; readonly value: unknown }[];
  readonly eventTimeout: { readonly ms: number; readonly content: unknown } | null;
  readonly stateTimeout: { readonly ms: number; readonly content: unknown } | null;
  readonly generic: readonly { readonly name: string; readonly ms: number; readonly content: unknown }[];
  readonly inserted: readonly StatemEvent[];
}

function show(value: unknown): string {
  try {
    return (typeof value === 'string' ? value : JSON.stringify(value)) ?? String(value);
  } catch {
    return String(value);
  }
}

function isMs(value: unknown): value is number {
  return typeof value === 'number' && (value === Infinity || (Number.isFinite(value) && value >= 0));
}

function isFrom(value: unknown): value is From<unknown> {
  return typeof value === 'object' && value !== null && isPid((value as From).from) && isRef((value as From).ref);
}

/**
 * Check a transition. `context` says which actions are legal: an enter call may not postpone or
 * insert events; init may not postpone; stop carries reply actions only.
 */
export function parseTransition(r: unknown, where: string, context: 'event' | 'enter' | 'init'): ParsedTransition {
  const bad = (why?: string): BadReturnError => new BadReturnError(where, why === undefined ? show(r) : `${why} in ${show(r)}`);
  const value = r === 'keep' ? { keep: true } : r;
  if (typeof value !== 'object' || value === null) throw bad();
  const v = value as Record<string, unknown>;
  let kind: ParsedTransition['kind'];
  if ('stop' in v) kind = 'stop';
  else if ('next' in v) kind = 'next';
  else if (v['keep'] === true) kind = 'keep';
  else if (v['repeat'] === true) kind = 'repeat';
  else if (context === 'init' && 'state' in v) kind = 'next';
  else throw bad();

  let postpone = false;
  const replies: { to: From<unknown>; value: unknown }[] = [];
  let eventTimeout: ParsedTransition['eventTimeout'] = null;
  let stateTimeout: ParsedTransition['stateTimeout'] = null;
  const generic: { name: string; ms: number; content: unknown }[] = [];
  const inserted: StatemEvent[] = [];
  const actions = v['actions'] ?? [];
  if (!Array.isArray(actions)) throw bad('actions is not an array');
  for (const a of actions as unknown[]) {
    if (a === 'postpone') {
      if (context !== 'event') throw bad(`postpone is not allowed in ${context}`);
      postpone = true;
      continue;
    }
    if (typeof a !== 'object' || a === null) throw bad(`unknown action ${show(a)}`);
    const x = a as Record<string, unknown>;
    if ('reply' in x) {
      if (!isFrom(x['reply'])) throw bad('reply action without a From');
      replies.push({ to: x['reply'], value: x['value'] });
    } else if (kind === 'stop') {
      throw bad('only reply actions go with stop');
    } else if ('timeout' in x && isMs(x['timeout'])) {
      eventTimeout = { ms: x['timeout'], content: x['content'] };
    } else if ('stateTimeout' in x && isMs(x['stateTimeout'])) {
      stateTimeout = { ms: x['stateTimeout'], content: x['content'] };
    } else if (typeof x['genericTimeout'] === 'string' && isMs(x['ms'])) {
      generic.push({ name: x['genericTimeout'], ms: x['ms'], content: x['content'] });
    } else if ('nextEvent' in x) {
      if (context === 'enter') throw bad('nextEvent is not allowed in a state enter call');
      const type = x['type'] ?? 'internal';
      if (type !== 'internal' && type !== 'cast' && type !== 'info') throw bad(`nextEvent type ${show(type)}`);
      inserted.push({ type, content: x['nextEvent'] });
    } else {
      throw bad(`unknown action ${show(a)}`);
    }
  }
  return {
    kind,
    state: context === 'init' ? v['state'] : v['next'],
    hasData: 'data' in v,
    data: v['data'],
    reason: kind === 'stop' ? (v['stop'] as ExitReason) : null,
    postpone,
    replies,
    eventTimeout,
    stateTimeout,
    generic,
    inserted,
  };
}

/** Whether two states are the same term (deep, structural equality of plain data). */
export function sameState(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (typeof (a as { equals?: unknown }).equals === 'function') return (a as { equals(x: unknown): boolean }).equals(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameState((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
