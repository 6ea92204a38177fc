import { compareEntries, type RegistryEntry } from './entry.js';

/** How the name's current entry changed (for events); absent sides mean "no entry". */
export interface NameChange {
  readonly name: string;
  readonly before: RegistryEntry | undefined;
  readonly after: RegistryEntry | undefined;
}

/**
 * The names one node holds for one scope. A name normally has one entry; after a partition heals
 * it can briefly have several (contenders) until its owner resolves the conflict. The current
 * entry of a name is the first of its entries in `compareEntries` order, so every node holding
 * the same entries answers the same.
 *
 * Deleted and replaced registration ids are remembered as tombstones for a while (two
 * generations, swept by the scope), so a late copy of a deleted registration is never applied.
 */
export class NameTable {
  private readonly current = new Map<string, RegistryEntry>();
  private readonly contenders = new Map<string, RegistryEntry[]>();
  private readonly byId = new Map<string, RegistryEntry>();
  /** Ids per pid key: one id directly (the usual case: one name per pid per scope), a Set for more. */
  private readonly byPid = new Map<string, string | Set<string>>();
  private readonly byNode = new Map<string, Set<string>>();
  private youngTombs = new Set<string>();
  private oldTombs = new Set<string>();

  get size(): number {
    return this.current.size;
  }

  get(name: string): RegistryEntry | undefined {
    return this.current.get(name);
  }

  getById(id: string): RegistryEntry | undefined {
    return this.byId.get(id);
  }

  /** Every entry held for `name` (current first), or an empty list. */
  entriesOf(name: string): RegistryEntry[] {
    const cur = this.current.get(name);
    if (cur === undefined) return [];
    return [cur, ...(this.contenders.get(name) ?? [])];
  }

  /** Names with more than one entry. */
  conflicted(): string[] {
    return [...this.contenders.keys()];
  }

  hasConflict(name: string): boolean {
    return this.contenders.has(name);
  }

  names(): IterableIterator<string> {
    return this.current.keys();
  }

  /** Every current entry. */
  values(): IterableIterator<RegistryEntry> {
    return this.current.values();
  }

  /** Every entry, contenders included. */
  allEntries(): IterableIterator<RegistryEntry> {
    return this.byId.values();
  }

  /** Ids of the entries whose pid is `pidKey`. */
  idsOfPid(pidKey: string): readonly string[] {
    const ids = this.byPid.get(pidKey);
    if (typeof ids === 'string') return [ids];
    return ids === undefined ? [] : [...ids];
  }

  /** Ids of the entries whose pid lives on `node`. */
  idsOfNode(node: string): readonly string[] {
    const ids = this.byNode.get(node);
    return ids === undefined ? [] : [...ids];
  }


  isTombstoned(id: string): boolean {
    return this.youngTombs.has(id) || this.oldTombs.has(id);
  }

  tombstone(id: string): void {
    this.youngTombs.add(id);
  }

  get tombstoneCount(): number {
    return this.youngTombs.size + this.oldTombs.size;
  }

  /** Forget the older generation of tombstones (called every tombstoneTtl / 2). */
  sweepTombstones(): void {
    this.oldTombs = this.youngTombs;
    this.youngTombs = new Set();
  }

  /**
   * Add an entry (a decision, a sync or a handoff). Ignored when its id is tombstoned or already
   * held (the meta of a held id is not changed: a new meta is a new registration).
   * `overrideTombstone`: the entry comes from its pid's home, the authority on it.
   * Returns the change of the name's current entry, or null.
   */
  add(e: RegistryEntry, overrideTombstone = false): NameChange | null {
    if (overrideTombstone) {
      this.youngTombs.delete(e.id);
      this.oldTombs.delete(e.id);
    }
    if (this.byId.has(e.id) || this.isTombstoned(e.id)) return null;
    this.byId.set(e.id, e);
    indexOne(this.byPid, e.pid.key, e.id);
    index(this.byNode, e.pid.node, e.id);
    const cur = this.current.get(e.name);
    if (cur === undefined) {
      this.current.set(e.name, e);
      return { name: e.name, before: undefined, after: e };
    }
    const others = this.contenders.get(e.name) ?? [];
    if (compareEntries(e, cur) < 0) {
      others.push(cur);
      this.current.set(e.name, e);
      this.contenders.set(e.name, others);
      return { name: e.name, before: cur, after: e };
    }
    others.push(e);
    this.contenders.set(e.name, others);
    return null;
  }

  /** Remove an entry by id (tombstoning it); returns the change of the current entry, or null. */
  remove(id: string, tombstone = true): NameChange | null {
    if (tombstone) this.tombstone(id);
    const e = this.byId.get(id);
    if (e === undefined) return null;
    this.byId.delete(id);
    unindexOne(this.byPid, e.pid.key, id);
    unindex(this.byNode, e.pid.node, id);
    const others = this.contenders.get(e.name);
    const cur = this.current.get(e.name)!;
    if (cur.id !== id) {
      if (others !== undefined) {
        const i = others.findIndex((o) => o.id === id);
        if (i >= 0) others.splice(i, 1);
        if (others.length === 0) this.contenders.delete(e.name);
      }
      return null;
    }
    if (others === undefined || others.length === 0) {
      this.current.delete(e.name);
      this.contenders.delete(e.name);
      return { name: e.name, before: e, after: undefined };
    }
    others.sort(compareEntries);
    const next = others.shift()!;
    if (others.length === 0) this.contenders.delete(e.name);
    this.current.set(e.name, next);
    return { name: e.name, before: e, after: next };
  }

  /** Remove every entry of `name` except `keep` (tombstoning them). */
  removeAllBut(name: string, keep: string | null): NameChange[] {
    const out: NameChange[] = [];
    for (const e of this.entriesOf(name)) {
      if (e.id === keep) continue;
      const c = this.remove(e.id);
      if (c !== null) out.push(c);
    }
    return out;
  }

  /** Remove every entry of pids on `node`, without tombstones (the node is gone from the view). */
  removeNode(node: string): NameChange[] {
    const ids = this.byNode.get(node);
    if (ids === undefined) return [];
    const out: NameChange[] = [];
    for (const id of [...ids]) {
      const c = this.remove(id, false);
      if (c !== null) out.push(c);
    }
    return out;
  }

  /** Remove every entry for which `drop` holds, without tombstones (partitioned mode: no longer a holder). */
  removeWhere(drop: (e: RegistryEntry) => boolean): NameChange[] {
    const out: NameChange[] = [];
    for (const e of [...this.byId.values()]) {
      if (!drop(e)) continue;
      const c = this.remove(e.id, false);
      if (c !== null) out.push(c);
    }
    return out;
  }
}

function index(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(id);
}

function unindex(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}

function indexOne(map: Map<string, string | Set<string>>, key: string, id: string): void {
  const held = map.get(key);
  if (held === undefined) map.set(key, id);
  else if (typeof held === 'string') {
    if (held !== id) map.set(key, new Set([held, id]));
  } else held.add(id);
}

function unindexOne(map: Map<string, string | Set<string>>, key: string, id: string): void {
  const held = map.get(key);
  if (held === undefined) return;
  if (typeof held === 'string') {
    if (held === id) map.delete(key);
    return;
  }
  held.delete(id);
  if (held.size === 1) map.set(key, held.values().next().value as string);
  else if (held.size === 0) map.delete(key);
}
