import { ExitReasons, type ExitReason, type Pid, type Term } from '@sdnode/wire';
import { compareEntries, type RegistryEntry } from './entry.js';

/**
 * How a name registered on both sides of a healed partition is resolved. The name's owner runs
 * the resolver once, broadcasts the outcome to every member, and acts on the pids:
 * - `exitLoser` (default): the first registered entry keeps the name; every other pid exits with
 *   `{name_conflict: {scope, name, winner}}` (Erlang's random_exit_name, but deterministic);
 * - `notifyBoth`: the first registered entry keeps the name; the others lose it; every pid
 *   involved gets a `NameConflictMessage`;
 * - `unregisterBoth`: nobody keeps the name; every pid involved gets a `NameConflictMessage`;
 * - a function: given the entries (first registered first), returns the one to keep or null; it
 *   runs on the owner only. Losers are notified as with notifyBoth.
 */
export type ResolverName = 'exitLoser' | 'notifyBoth' | 'unregisterBoth';
export type ResolverFunction = (name: string, entries: readonly RegistryEntry[]) => RegistryEntry | null;
export type Resolver = ResolverName | ResolverFunction;

export const RESOLVER_NAMES: readonly ResolverName[] = ['exitLoser', 'notifyBoth', 'unregisterBoth'];

/** The message pids get from `notifyBoth`, `unregisterBoth` and resolver functions. */
export interface NameConflictMessage {
  readonly registry: 'name_conflict';
  readonly scope: string;
  readonly name: string;
  /** The pid that kept the name, or null when nobody did. */
  readonly winner: Pid | null;
}

/** The exit reason of a loser under `exitLoser`. */
export function nameConflictReason(scope: string, name: string, winner: Pid): ExitReason {
  return ExitReasons.other({ name_conflict: { scope, name, winner } } as unknown as Term);
}

/** Is this exit reason the one `exitLoser` gives? */
export function isNameConflictReason(reason: ExitReason): reason is ExitReason & { kind: 'other'; value: { name_conflict: { scope: string; name: string; winner: Pid } } } {
  if (reason.kind !== 'other' || typeof reason.value !== 'object' || reason.value === null) return false;
  const v = (reason.value as { name_conflict?: unknown }).name_conflict;
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';
}

export interface Resolution {
  readonly winner: RegistryEntry | null;
  readonly losers: readonly RegistryEntry[];
  /** What happens to the pids: `exit` the losers, or `notify` everyone involved. */
  readonly action: 'exit' | 'notify';
}

/** Decide a conflict among `entries` (two or more, any order). Never throws. */
export function resolveConflict(resolver: Resolver, name: string, entries: readonly RegistryEntry[]): Resolution {
  const sorted = [...entries].sort(compareEntries);
  const first = sorted[0] ?? null;
  switch (resolver) {
    case 'exitLoser':
      return { winner: first, losers: sorted.slice(1), action: 'exit' };
    case 'notifyBoth':
      return { winner: first, losers: sorted.slice(1), action: 'notify' };
    case 'unregisterBoth':
      return { winner: null, losers: sorted, action: 'notify' };
    default: {
      let chosen: RegistryEntry | null = first;
      try {
        const picked = resolver(name, sorted);
        chosen = picked === null ? null : (sorted.find((e) => e.id === picked?.id) ?? first);
      } catch {
        chosen = first;
      }
      return { winner: chosen, losers: sorted.filter((e) => e !== chosen), action: 'notify' };
    }
  }
}
