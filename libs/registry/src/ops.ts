import { isPid, Pid, type Term } from '@sdnode/wire';
import { entryFromWire, isValidName, type EntryWire, type RegistryEntry } from './entry.js';

/**
 * The registry protocol's messages (docs/protocols/registry.md). They travel in CONTROL frames on
 * the channel `sdnode.registry` as `[scope, [op, ...]]`; each op is an array whose first element
 * names it. Every op is checked field by field when it arrives (parseOp); a malformed op is
 * dropped and counted, never thrown.
 */

export const REGISTRY_CHANNEL = 'sdnode.registry';
/**
 * 2: broadcast ops as encoded byte strings in a frame's item list, the SETS and CLAIMS ops.
 * 3: OKS, the owner's `ok` answers to claims of the receiver's own pids, without the entry's pid.
 * 4: VERIFIED names each gone registration by `[name, id]` (members find entries by name: no index by id).
 */
export const REGISTRY_PROTOCOL_VERSION = 4;
/** Entries per SETS op (its sender coalesces at most this many SETs). */
export const MAX_SETS_ENTRIES = 4096;

export type ScopeMode = 'replicated' | 'partitioned';
/** What a claim asks the owner for. */
export type ClaimKind = 'reg' | 'rereg' | 'unreg';
/** An owner's (or pid home's) answer to a claim. */
/** Why a registration was deleted. */
export type DelReason = 'unregistered' | 'died';
export type Outcome = 'ok' | 'taken' | 'already_named' | 'noproc' | 'retry' | 'error';

/** One SET of the sender's own pid, inside a SETS op: the pid's node and creation are the sender's. */
export type SetItem = readonly [name: string, pidId: number, meta: Term | null, id: string, at: number, replaces: string | null];

/**
 * One `ok` RESULT for a claim (reg, rereg) of the receiver's own pid, inside an OKS op: the
 * decided entry without its pid's node and creation (the receiver's, and the op's `creation`).
 */
export type OkItem = readonly [req: number, name: string, pidId: number, meta: Term | null, id: string, at: number, replaces: string | null];

/** One CLAIM of the sender's own pid (reg, rereg), inside a CLAIMS op: the pid's node and creation are the sender's. */
export type ClaimItem = readonly [req: number, kind: 'reg' | 'rereg', name: string, pidId: number, meta: Term | null];

export type Op =
  | readonly ['hello', mode: ScopeMode, ack: boolean, version: number, creation: number]
  | readonly ['view', hash: string]
  | readonly ['claim', req: number, kind: ClaimKind, name: string, pid: Pid | null, meta: Term | null, view: string]
  | readonly ['claims', view: string, creation: number, claims: readonly ClaimItem[]]
  | readonly ['result', req: number, outcome: Outcome, detail: Term | null]
  | readonly ['oks', creation: number, oks: readonly OkItem[]]
  | readonly ['set', entry: EntryWire, replaces: string | null, view: string]
  | readonly ['sets', view: string, creation: number, entries: readonly SetItem[]]
  | readonly ['del', name: string, id: string, reason: DelReason]
  | readonly ['inval', name: string, id: string]
  | readonly ['resolve', name: string, winner: EntryWire | null, losers: readonly string[]]
  | readonly ['sync', entries: readonly EntryWire[]]
  | readonly ['hsync', entries: readonly EntryWire[]]
  | readonly ['verify', req: number, pairs: ReadonlyArray<readonly [name: string, id: string]>]
  | readonly ['verified', req: number, gone: ReadonlyArray<readonly [name: string, id: string]>]
  | readonly ['fwd', req: number, kind: ClaimKind, name: string, pid: Pid, meta: Term | null]
  | readonly ['lookup', req: number, name: string]
  | readonly ['found', req: number, entry: EntryWire | null]
  | readonly ['send', name: string, msg: Term]
  | readonly ['join', group: string, pids: readonly Pid[]]
  | readonly ['leave', group: string, pids: readonly Pid[]]
  | readonly ['pgsync', groups: ReadonlyArray<readonly [group: string, pids: readonly Pid[]]>];

/** A checked op, with entries decoded. */
export type ParsedOp =
  | { readonly op: 'hello'; readonly mode: ScopeMode; readonly ack: boolean; readonly version: number; readonly creation: number }
  | { readonly op: 'view'; readonly hash: string }
  | { readonly op: 'claim'; readonly req: number; readonly kind: ClaimKind; readonly name: string; readonly pid: Pid | null; readonly meta: Term | null; readonly view: string }
  | { readonly op: 'claims'; readonly claims: ReadonlyArray<Extract<ParsedOp, { op: 'claim' }>> }
  | { readonly op: 'result'; readonly req: number; readonly outcome: Outcome; readonly detail: unknown }
  | { readonly op: 'oks'; readonly creation: number; readonly oks: readonly OkItem[] }
  | { readonly op: 'set'; readonly entry: RegistryEntry; readonly replaces: string | null; readonly view: string }
  /** SETS items are checked but not turned into entries here: the holder builds each entry as it applies it (no intermediate objects). */
  | { readonly op: 'sets'; readonly view: string; readonly creation: number; readonly items: readonly SetItem[] }
  | { readonly op: 'del'; readonly name: string; readonly id: string; readonly reason: DelReason }
  | { readonly op: 'inval'; readonly name: string; readonly id: string }
  | { readonly op: 'resolve'; readonly name: string; readonly winner: RegistryEntry | null; readonly losers: readonly string[] }
  | { readonly op: 'sync' | 'hsync'; readonly entries: readonly RegistryEntry[] }
  | { readonly op: 'verify'; readonly req: number; readonly pairs: ReadonlyArray<readonly [string, string]> }
  | { readonly op: 'verified'; readonly req: number; readonly gone: ReadonlyArray<readonly [string, string]> }
  | { readonly op: 'fwd'; readonly req: number; readonly kind: ClaimKind; readonly name: string; readonly pid: Pid; readonly meta: Term | null }
  | { readonly op: 'lookup'; readonly req: number; readonly name: string }
  | { readonly op: 'found'; readonly req: number; readonly entry: RegistryEntry | null }
  | { readonly op: 'send'; readonly name: string; readonly msg: Term }
  | { readonly op: 'join' | 'leave'; readonly group: string; readonly pids: readonly Pid[] }
  | { readonly op: 'pgsync'; readonly groups: ReadonlyArray<readonly [string, readonly Pid[]]> };

const isReq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 600;
const isKind = (v: unknown): v is ClaimKind => v === 'reg' || v === 'rereg' || v === 'unreg';
const OUTCOMES = new Set<unknown>(['ok', 'taken', 'already_named', 'noproc', 'retry', 'error']);
const isPids = (v: unknown): v is Pid[] => Array.isArray(v) && v.every(isPid);

/**
 * The op, checked; or a string saying what is wrong with it. `from`: the sending node (the node
 * of the pids a SETS op names).
 */
export function parseOp(raw: unknown, from = ''): ParsedOp | string {
  if (!Array.isArray(raw) || raw.length === 0 || typeof raw[0] !== 'string') return 'an op must be an array starting with its name';
  const a = raw as unknown[];
  const want = (n: number): string | undefined => (a.length === n ? undefined : `${String(a[0])} has ${a.length - 1} fields, expected ${n - 1}`);
  switch (a[0]) {
    case 'hello': {
      const [, mode, ack, version, creation] = a;
      if (want(5) !== undefined || (mode !== 'replicated' && mode !== 'partitioned') || typeof ack !== 'boolean' || !isReq(version) || !isReq(creation)) return 'bad hello';
      return { op: 'hello', mode, ack, version, creation };
    }
    case 'view':
      return want(2) ?? (typeof a[1] === 'string' && a[1].length <= 64 ? { op: 'view', hash: a[1] } : 'bad view');
    case 'claim': {
      const [, req, kind, name, pid, meta, view] = a;
      if (want(7) !== undefined || !isReq(req) || !isKind(kind) || !isValidName(name) || typeof view !== 'string') return 'bad claim';
      if (kind === 'unreg' ? pid !== null : !isPid(pid)) return 'bad claim pid';
      return { op: 'claim', req, kind, name, pid: pid as Pid | null, meta: (meta ?? null) as Term | null, view };
    }
    case 'result': {
      const [, req, outcome, detail] = a;
      if (want(4) !== undefined || !isReq(req) || !OUTCOMES.has(outcome)) return 'bad result';
      return { op: 'result', req, outcome: outcome as Outcome, detail };
    }
    case 'oks':
      return want(3) ?? parseOks(a[1], a[2]);
    case 'set': {
      const entry = entryFromWire(a[1]);
      if (want(4) !== undefined || entry === undefined || (a[2] !== null && !isId(a[2])) || typeof a[3] !== 'string') return 'bad set';
      return { op: 'set', entry, replaces: a[2] as string | null, view: a[3] };
    }
    case 'sets':
      return want(4) ?? parseSets(a[1], a[2], a[3], from);
    case 'claims':
      return want(4) ?? parseClaims(a[1], a[2], a[3], from);
    case 'del':
      if (want(4) !== undefined || !isValidName(a[1]) || !isId(a[2]) || (a[3] !== 'unregistered' && a[3] !== 'died')) return 'bad del';
      return { op: 'del', name: a[1], id: a[2], reason: a[3] };
    case 'inval':
      if (want(3) !== undefined || !isValidName(a[1]) || !isId(a[2])) return 'bad inval';
      return { op: 'inval', name: a[1], id: a[2] };
    case 'resolve': {
      const winner = a[2] === null ? null : entryFromWire(a[2]);
      if (want(4) !== undefined || !isValidName(a[1]) || winner === undefined || !Array.isArray(a[3]) || !a[3].every(isId)) return 'bad resolve';
      return { op: 'resolve', name: a[1], winner, losers: a[3] as string[] };
    }
    case 'verify': {
      if (want(3) !== undefined || !isReq(a[1]) || !Array.isArray(a[2])) return 'bad verify';
      if (!a[2].every(isNameIdPair)) return 'bad verify pair';
      return { op: 'verify', req: a[1], pairs: a[2] as Array<[string, string]> };
    }
    case 'verified':
      if (want(3) !== undefined || !isReq(a[1]) || !Array.isArray(a[2]) || !a[2].every(isNameIdPair)) return 'bad verified';
      return { op: 'verified', req: a[1], gone: a[2] as Array<[string, string]> };
    case 'sync':
    case 'hsync': {
      if (want(2) !== undefined || !Array.isArray(a[1])) return `bad ${a[0]}`;
      const entries: RegistryEntry[] = [];
      for (const w of a[1] as unknown[]) {
        const e = entryFromWire(w);
        if (e === undefined) return `bad ${a[0]} entry`;
        entries.push(e);
      }
      return { op: a[0], entries };
    }
    case 'fwd': {
      const [, req, kind, name, pid, meta] = a;
      if (want(6) !== undefined || !isReq(req) || !isKind(kind) || !isValidName(name) || !isPid(pid)) return 'bad fwd';
      return { op: 'fwd', req, kind, name, pid, meta: (meta ?? null) as Term | null };
    }
    case 'lookup':
      if (want(3) !== undefined || !isReq(a[1]) || !isValidName(a[2])) return 'bad lookup';
      return { op: 'lookup', req: a[1], name: a[2] };
    case 'found': {
      const entry = a[2] === null ? null : entryFromWire(a[2]);
      if (want(3) !== undefined || !isReq(a[1]) || entry === undefined) return 'bad found';
      return { op: 'found', req: a[1], entry };
    }
    case 'send':
      if (want(3) !== undefined || !isValidName(a[1])) return 'bad send';
      return { op: 'send', name: a[1], msg: a[2] as Term };
    case 'join':
    case 'leave':
      if (want(3) !== undefined || !isValidName(a[1]) || !isPids(a[2])) return `bad ${a[0]}`;
      return { op: a[0], group: a[1], pids: a[2] };
    case 'pgsync': {
      if (want(2) !== undefined || !Array.isArray(a[1])) return 'bad pgsync';
      for (const g of a[1] as unknown[]) {
        if (!Array.isArray(g) || g.length !== 2 || !isValidName(g[0]) || !isPids(g[1])) return 'bad pgsync group';
      }
      return { op: 'pgsync', groups: a[1] as Array<[string, Pid[]]> };
    }
    default:
      return `unknown op ${String(a[0]).slice(0, 40)}`;
  }
}

/** SETS `[view, creation, [[name, pid id, meta, id, at, replaces], ...]]` from `from`: every entry checked, else the whole op is bad. */
function parseSets(view: unknown, creation: unknown, items: unknown, from: string): ParsedOp | string {
  if (typeof view !== 'string' || !isReq(creation) || !Array.isArray(items) || items.length === 0 || items.length > MAX_SETS_ENTRIES || from === '') return 'bad sets';
  for (const item of items as unknown[]) {
    if (!Array.isArray(item) || item.length !== 6) return 'bad sets entry';
    const [name, pidId, , id, at, replaces] = item as unknown[];
    if (!isValidName(name) || !isReq(pidId) || !isId(id) || typeof at !== 'number' || !Number.isFinite(at) || (replaces !== null && !isId(replaces))) return 'bad sets entry';
  }
  return { op: 'sets', view, creation, items: items as SetItem[] };
}

/** CLAIMS `[view, creation, [[req, kind, name, pid id, meta], ...]]` from `from` (reg and rereg of its own pids): every claim checked, else the whole op is bad. */
function parseClaims(view: unknown, creation: unknown, items: unknown, from: string): ParsedOp | string {
  if (typeof view !== 'string' || !isReq(creation) || !Array.isArray(items) || items.length === 0 || items.length > MAX_SETS_ENTRIES || from === '') return 'bad claims';
  const claims: Array<Extract<ParsedOp, { op: 'claim' }>> = [];
  for (const item of items as unknown[]) {
    if (!Array.isArray(item) || item.length !== 5) return 'bad claims entry';
    const [req, kind, name, pidId, meta] = item as unknown[];
    if (!isReq(req) || (kind !== 'reg' && kind !== 'rereg') || !isValidName(name) || !isReq(pidId)) return 'bad claims entry';
    claims.push({ op: 'claim', req, kind, name, pid: new Pid(from, pidId, creation), meta: (meta ?? null) as Term | null, view });
  }
  return { op: 'claims', claims };
}


/** OKS `[creation, [[req, name, pid id, meta, id, at, replaces], ...]]`: every item checked, else the whole op is bad. */
function parseOks(creation: unknown, items: unknown): ParsedOp | string {
  if (!isReq(creation) || !Array.isArray(items) || items.length === 0 || items.length > MAX_SETS_ENTRIES) return 'bad oks';
  for (const item of items as unknown[]) {
    if (!Array.isArray(item) || item.length !== 7) return 'bad oks entry';
    const [req, name, pidId, , id, at, replaces] = item as unknown[];
    if (!isReq(req) || !isValidName(name) || !isReq(pidId) || !isId(id) || typeof at !== 'number' || !Number.isFinite(at) || (replaces !== null && !isId(replaces))) return 'bad oks entry';
  }
  return { op: 'oks', creation, oks: items as OkItem[] };
}

/** `[name, id]`: a registration named in VERIFY and VERIFIED. */
function isNameIdPair(pair: unknown): pair is readonly [string, string] {
  return Array.isArray(pair) && pair.length === 2 && isValidName(pair[0]) && isId(pair[1]);
}
