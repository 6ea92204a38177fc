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
  /**
   * Ids per pid id, for this node's own pids only (the home's questions: is this pid named, which
   * names go when it exits): one id directly (the usual case: one name per pid per scope), a Set
   * for more. Keyed by the pid's number, not its key string: every local pid held is of this
   * node's current incarnation (an entry for a local pid is only added while that pid is alive), so
   * the number names it; a small-integer key needs no string built and hashed per registration.
   */
  private readonly byPid = new Map<number, string | Set<string>>();
  /** Tombstoned ids, with the generation they were made in (`generation` or the one before it). */
  private readonly tombs = new Map<string, number>();
  private generation = 0;

  /** `self`: this node's name (only its own pids are indexed by pid). */
  constructor(private readonly self: string) {}

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

  /** Ids of the entries whose pid is this node's pid number `pidId` (of its current incarnation). */
  idsOfPid(pidId: number): readonly string[] {
    const ids = this.byPid.get(pidId);
    if (typeof ids === 'string') return [ids];
    return ids === undefined ? [] : [...ids];
  }

  /** The name of an entry of this node's pid number `pidId` other than `name`, if there is one (without a copy of its ids). */
  otherNameOf(pidId: number, name: string): string | undefined {
    const ids = this.byPid.get(pidId);
    if (ids === undefined) return undefined;
    if (typeof ids === 'string') {
      const other = this.byId.get(ids)?.name;
      return other !== name ? other : undefined;
    }
    for (const id of ids) {
      const other = this.byId.get(id)?.name;
      if (other !== undefined && other !== name) return other;
    }
    return undefined;
  }

  /**
   * Ids of the entries whose pid lives on `node`. A walk over every entry: asked when a member
   * joins or leaves, never per registration (an index by node cost two more hash operations on
   * every add and remove).
   */
  idsOfNode(node: string): readonly string[] {
    const out: string[] = [];
    for (const e of this.byId.values()) if (e.pid.node === node) out.push(e.id);
    return out;
  }



  isTombstoned(id: string): boolean {
    return this.tombs.has(id);
  }

  tombstone(id: string): void {
    this.tombs.set(id, this.generation);
  }

  get tombstoneCount(): number {
    return this.tombs.size;
  }

  /** Forget the older generation of tombstones (called every tombstoneTtl / 2). */
  sweepTombstones(): void {
    for (const [id, made] of this.tombs) if (made < this.generation) this.tombs.delete(id);
    this.generation++;
  }

  /**
   * Add an entry (a decision, a sync or a handoff). Ignored when its id is tombstoned or already
   * held (the meta of a held id is not changed: a new meta is a new registration).
   * `overrideTombstone`: the entry comes from its pid's home, the authority on it.
   * Returns the change of the name's current entry, or null.
   */
  add(e: RegistryEntry, overrideTombstone = false): NameChange | null {
    if (overrideTombstone) {
      this.tombs.delete(e.id);
    }
    if (this.byId.has(e.id) || this.isTombstoned(e.id)) return null;
    this.byId.set(e.id, e);
    if (e.pid.node === this.self) indexOne(this.byPid, e.pid.id, e.id);
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
    if (e.pid.node === this.self) unindexOne(this.byPid, e.pid.id, id);
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

  /**
   * Remove every entry of pids on `node`, without tombstones (the node is gone from the view).
   * `report`: return the changes of current entries (false: nobody listens; none are built).
   */
  removeNode(node: string, report = true): NameChange[] {
    return this.removeWhere((e) => e.pid.node === node, report);
  }

  /**
   * Remove every entry for which `drop` holds, without tombstones (a node left the view; in
   * partitioned mode, this node no longer holds a name). One pass over the entries: when most
   * of them go (a node holding most names died), the tables are rebuilt from the survivors
   * instead of deleting entry by entry (each delete is three hash operations; 100 k names of a
   * dead node took a quarter of a second).
   */
  removeWhere(drop: (e: RegistryEntry) => boolean, report = true): NameChange[] {
    const gone: RegistryEntry[] = [];
    const survivors: RegistryEntry[] = [];
    for (const e of this.byId.values()) (drop(e) ? gone : survivors).push(e);
    if (gone.length === 0) return [];
    if (gone.length > survivors.length) return this.rebuildWithout(gone, survivors, drop, report);
    const out: NameChange[] = [];
    for (const e of gone) {
      const c = this.remove(e.id, false);
      if (c !== null) out.push(c);
    }
    return out;
  }

  /** removeWhere's path when most entries go: new tables of the survivors; the changes of the names whose current entry went. */
  private rebuildWithout(gone: readonly RegistryEntry[], survivors: readonly RegistryEntry[], drop: (e: RegistryEntry) => boolean, report: boolean): NameChange[] {
    // Walks, not lookups: a hash lookup per entry of a large table is a cache miss each.
    const out: NameChange[] = [];
    if (report) for (const e of this.current.values()) if (drop(e)) out.push({ name: e.name, before: e, after: undefined });
    const contested = this.contenders.size > 0;
    this.byId.clear();
    this.current.clear();
    this.contenders.clear();
    for (const e of gone) if (e.pid.node === this.self) unindexOne(this.byPid, e.pid.id, e.id);
    for (const e of survivors) this.place(e);
    if (!contested) return out;
    return out.map((c) => ({ ...c, after: this.current.get(c.name) }));
  }

  /** Put a held entry (its pid already indexed) back into the name tables, in `compareEntries` order. */
  private place(e: RegistryEntry): void {
    this.byId.set(e.id, e);
    const cur = this.current.get(e.name);
    if (cur === undefined) {
      this.current.set(e.name, e);
      return;
    }
    const others = this.contenders.get(e.name) ?? [];
    if (compareEntries(e, cur) < 0) {
      others.push(cur);
      this.current.set(e.name, e);
    } else others.push(e);
    this.contenders.set(e.name, others);
  }
}

function indexOne(map: Map<number, string | Set<string>>, key: number, id: string): void {
  const held = map.get(key);
  if (held === undefined) map.set(key, id);
  else if (typeof held === 'string') {
    if (held !== id) map.set(key, new Set([held, id]));
  } else held.add(id);
}

function unindexOne(map: Map<number, string | Set<string>>, key: number, id: string): void {
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
