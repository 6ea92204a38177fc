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
  /** The current entry of each name: what `whereis` answers. */
  private readonly current = new Map<string, RegistryEntry>();
  private readonly contenders = new Map<string, RegistryEntry[]>();
  /**
   * Entries per pid number, for this node's own pids only (the home's questions: is this pid
   * named, which names go when it exits): one entry directly (the usual case: one name per pid
   * per scope), a Set for more. Keyed by the pid's number, not its key string: every local pid
   * held is of this node's current incarnation (an entry for a local pid is only added while
   * that pid is alive), so the number names it.
   */
  private readonly byPid = new Map<number, RegistryEntry | Set<RegistryEntry>>();
  /** Tombstoned ids, with the generation they were made in (`generation` or the one before it). */
  private readonly tombs = new Map<string, number>();
  private generation = 0;

  /**
   * `self`: this node's name (only its own pids are indexed by pid).
   *
   * No index by registration id: every message that names an id also names its name (DEL,
   * RESOLVE, a SET's replaced id is of the same name, VERIFIED since protocol v4), so an entry is
   * found through its name. An index by id cost two more hash operations in a table of every
   * name on each add and remove, a third of what a member spends applying a SET.
   */
  constructor(private readonly self: string) {}

  /** Names held (each counted once, however many entries it has). */
  get size(): number {
    return this.current.size;
  }

  get(name: string): RegistryEntry | undefined {
    return this.current.get(name);
  }

  /** The entry `id` of `name`, current or contender, if held. */
  find(name: string, id: string): RegistryEntry | undefined {
    const cur = this.current.get(name);
    if (cur === undefined) return undefined;
    if (cur.id === id) return cur;
    return this.contenders.get(name)?.find((e) => e.id === id);
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
  *allEntries(): IterableIterator<RegistryEntry> {
    yield* this.current.values();
    for (const others of this.contenders.values()) yield* others;
  }

  /** The entries whose pid is this node's pid number `pidId` (of its current incarnation). */
  entriesOfPid(pidId: number): readonly RegistryEntry[] {
    const held = this.byPid.get(pidId);
    if (held === undefined) return [];
    return held instanceof Set ? [...held] : [held];
  }

  /** The name of an entry of this node's pid number `pidId` other than `name`, if there is one (without a copy of its entries). */
  otherNameOf(pidId: number, name: string): string | undefined {
    const held = this.byPid.get(pidId);
    if (held === undefined) return undefined;
    if (!(held instanceof Set)) return held.name !== name ? held.name : undefined;
    for (const e of held) if (e.name !== name) return e.name;
    return undefined;
  }

  /**
   * The entries whose pid lives on `node`. A walk over every entry: asked when a member joins
   * or leaves, never per registration (an index by node cost two more hash operations on every
   * add and remove).
   */
  entriesOfNode(node: string): RegistryEntry[] {
    const out: RegistryEntry[] = [];
    for (const e of this.allEntries()) if (e.pid.node === node) out.push(e);
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
    if (overrideTombstone) this.tombs.delete(e.id);
    else if (this.tombs.size > 0 && this.tombs.has(e.id)) return null;
    const name = e.name;
    const cur = this.current.get(name);
    if (cur === undefined) {
      this.current.set(name, e);
      if (e.pid.node === this.self) indexOne(this.byPid, e.pid.id, e);
      return { name, before: undefined, after: e };
    }
    if (cur.id === e.id) return null;
    let others = this.contenders.get(name);
    if (others !== undefined && others.some((o) => o.id === e.id)) return null;
    if (e.pid.node === this.self) indexOne(this.byPid, e.pid.id, e);
    if (others === undefined) this.contenders.set(name, (others = []));
    if (compareEntries(e, cur) < 0) {
      others.push(cur);
      this.current.set(name, e);
      return { name, before: cur, after: e };
    }
    others.push(e);
    return null;
  }

  /** Remove the entry `id` of `name` (tombstoning the id); returns the change of the current entry, or null. */
  remove(name: string, id: string, tombstone = true): NameChange | null {
    if (tombstone) this.tombstone(id);
    const cur = this.current.get(name);
    if (cur === undefined) return null;
    const others = this.contenders.get(name);
    if (cur.id !== id) {
      const i = others === undefined ? -1 : others.findIndex((o) => o.id === id);
      if (i < 0) return null;
      const [gone] = others!.splice(i, 1);
      if (gone!.pid.node === this.self) unindexOne(this.byPid, gone!.pid.id, gone!);
      if (others!.length === 0) this.contenders.delete(name);
      return null;
    }
    if (cur.pid.node === this.self) unindexOne(this.byPid, cur.pid.id, cur);
    if (others === undefined || others.length === 0) {
      this.current.delete(name);
      this.contenders.delete(name);
      return { name, before: cur, after: undefined };
    }
    others.sort(compareEntries);
    const next = others.shift()!;
    if (others.length === 0) this.contenders.delete(name);
    this.current.set(name, next);
    return { name, before: cur, after: next };
  }

  /** Remove every entry of `name` except `keep` (tombstoning them). */
  removeAllBut(name: string, keep: string | null): NameChange[] {
    const out: NameChange[] = [];
    for (const e of this.entriesOf(name)) {
      if (e.id === keep) continue;
      const c = this.remove(name, e.id);
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
   * instead of deleting entry by entry (100 k names of a dead node took a quarter of a second).
   */
  removeWhere(drop: (e: RegistryEntry) => boolean, report = true): NameChange[] {
    const gone: RegistryEntry[] = [];
    const survivors: RegistryEntry[] = [];
    for (const e of this.allEntries()) (drop(e) ? gone : survivors).push(e);
    if (gone.length === 0) return [];
    if (gone.length > survivors.length) return this.rebuildWithout(gone, survivors, drop, report);
    const out: NameChange[] = [];
    for (const e of gone) {
      const c = this.remove(e.name, e.id, false);
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
    this.current.clear();
    this.contenders.clear();
    for (const e of gone) if (e.pid.node === this.self) unindexOne(this.byPid, e.pid.id, e);
    for (const e of survivors) this.place(e);
    if (!contested) return out;
    return out.map((c) => ({ ...c, after: this.current.get(c.name) }));
  }

  /** Put a held entry (its pid already indexed) back into the name tables, in `compareEntries` order. */
  private place(e: RegistryEntry): void {
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

function indexOne(map: Map<number, RegistryEntry | Set<RegistryEntry>>, key: number, e: RegistryEntry): void {
  const held = map.get(key);
  if (held === undefined) map.set(key, e);
  else if (!(held instanceof Set)) {
    if (held !== e) map.set(key, new Set([held, e]));
  } else held.add(e);
}

function unindexOne(map: Map<number, RegistryEntry | Set<RegistryEntry>>, key: number, e: RegistryEntry): void {
  const held = map.get(key);
  if (held === undefined) return;
  if (!(held instanceof Set)) {
    if (held === e) map.delete(key);
    return;
  }
  held.delete(e);
  if (held.size === 1) map.set(key, held.values().next().value as RegistryEntry);
  else if (held.size === 0) map.delete(key);
}
