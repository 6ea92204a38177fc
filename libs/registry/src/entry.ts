import { createHash, randomBytes } from 'node:crypto';
import { isPid, type Pid, type Term } from '@sdnode/wire';

/**
 * One registration: `name` -> `pid` in a scope, decided by the name's owner. `id` is unique
 * (a tag of the owner's scope instance, then a counter) and never reused: deletions and replacements name the id,
 * so a late copy of an old registration can never come back (see docs/protocols/registry.md).
 */
export interface RegistryEntry {
  readonly name: string;
  readonly pid: Pid;
  /** Whatever the registering code attached (a serialisable term), or null. */
  readonly meta: Term | null;
  /** Registration id, decided by the owner. */
  readonly id: string;
  /** Milliseconds since the epoch on the owner when it decided: the older of two conflicting entries wins by default. */
  readonly at: number;
}

/** The wire form of an entry: `[name, pid, meta, id, at]`. */
export type EntryWire = readonly [name: string, pid: Pid, meta: Term | null, id: string, at: number];

export function entryToWire(e: RegistryEntry): EntryWire {
  return [e.name, e.pid, e.meta, e.id, e.at];
}

export const MAX_NAME_LENGTH = 255;
const MAX_ID_LENGTH = 600;

export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= MAX_NAME_LENGTH;
}

/** A decoded entry, checked field by field; undefined when malformed. */
export function entryFromWire(value: unknown): RegistryEntry | undefined {
  if (!Array.isArray(value) || value.length !== 5) return undefined;
  const [name, pid, meta, id, at] = value as unknown[];
  if (!isValidName(name) || !isPid(pid) || typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) return undefined;
  if (typeof at !== 'number' || !Number.isFinite(at)) return undefined;
  return { name, pid, meta: (meta ?? null) as Term | null, id, at };
}

/**
 * The deterministic order of two entries for one name: the one registered first (owner clock),
 * then the smaller id. Every node computes the same winner from the same two entries.
 */
export function compareEntries(a: RegistryEntry, b: RegistryEntry): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Makes registration ids unique to one scope instance on one node incarnation: a 9-character tag
 * (54 bits of a digest of the node's name, its creation and 48 random bits drawn for this
 * instance, so that a scope started again on the same incarnation never repeats an id), then a
 * counter in base 36. Short ids, because every copy of every entry carries one: `name.123`'s id
 * was 40-odd characters when it spelled out the owner node's name (decoded, hashed and kept by
 * every member).
 */
export class EntryIds {
  private seq = 0;
  private readonly prefix: string;

  constructor(node: string, creation: number) {
    this.prefix = createHash('sha1').update(`${node}\0${creation}\0`).update(randomBytes(6)).digest('base64url').slice(0, 9);
  }

  next(): string {
    return this.prefix + (++this.seq).toString(36);
  }
}
