import { errorFromWire, isPid, isWireError, RemoteError, type Pid } from '@sdnode/wire';
import { entryFromWire, type RegistryEntry } from './entry.js';
import type { Answer } from './owner.js';

/**
 * How a registration ended. Not an error when the name is taken (Erlang's `no`), when the pid
 * already has a name in the scope (one name per pid per scope, as in SD Erlang), or when the pid
 * is dead (SD Erlang answered `yes` there; a dead pid is never registered here).
 */
export type RegisterResult =
  | { readonly ok: true; readonly entry: RegistryEntry }
  | { readonly ok: false; readonly reason: 'taken'; readonly holder: Pid }
  | { readonly ok: false; readonly reason: 'already_named'; readonly name: string }
  | { readonly ok: false; readonly reason: 'noproc' };

/** The entry an `ok` answer to a registration carries, `[entry, replaced id]`. */
export function decidedEntry(detail: unknown): { entry: RegistryEntry; replaces: string | null } | undefined {
  if (!Array.isArray(detail) || detail.length !== 2 || (detail[1] !== null && typeof detail[1] !== 'string')) return undefined;
  const entry = entryFromWire(detail[0]);
  return entry === undefined ? undefined : { entry, replaces: detail[1] as string | null };
}

/** Turn an owner's answer into a RegisterResult; an `error` answer is thrown as its typed error. */
export function registerResult(a: Answer): RegisterResult {
  switch (a.outcome) {
    case 'ok': {
      const entry = (a.decided ?? decidedEntry(a.detail))?.entry;
      if (entry === undefined) throw new RemoteError('EBADREPLY', 'malformed registry answer');
      return { ok: true, entry };
    }
    case 'taken':
      if (!isPid(a.detail)) throw new RemoteError('EBADREPLY', 'malformed registry answer');
      return { ok: false, reason: 'taken', holder: a.detail };
    case 'already_named':
      return { ok: false, reason: 'already_named', name: String(a.detail) };
    case 'noproc':
      return { ok: false, reason: 'noproc' };
    default:
      throw isWireError(a.detail) ? errorFromWire(a.detail) : new RemoteError('EREGISTRY', `registry answered ${a.outcome}`);
  }
}
