import { Pid, type Term } from '@sdnode/wire';
import { compareEntries, entryToWire, type RegistryEntry } from './entry.js';
import type { DelReason, SetItem } from './ops.js';
import type { ScopeCore } from './scope-core.js';

/**
 * What every member does with the updates it receives (docs/protocols/registry.md, "Holding"):
 * applies decisions (SET), deletions (DEL), syncs and resolutions, by registration id, so that
 * they commute; refuses entries for pids it knows to be dead or of nodes outside its view; and,
 * as the home of a pid, is the authority on its death.
 */
export class NameHolder {
  constructor(
    private readonly c: ScopeCore,
    /** A name now has several entries here (the owner resolves it). */
    private readonly onConflict: (name: string) => void,
  ) {}

  /** A registration, as its pid's home spreads it (or an owner tells the home of a replaced pid). */
  set(from: string, e: RegistryEntry, replaces: string | null): void {
    if (replaces !== null) this.c.removeAsTold(e.name, replaces, 'replaced');
    if (this.admitRelayed(from, e)) this.c.sendVerifyOf([e]);
  }

  /**
   * A SETS op from `from` (checked items of `from`'s pids, of its incarnation `creation`): each
   * entry is built as it is applied (from its pid's home: nothing to verify).
   */
  sets(from: string, creation: number, items: readonly SetItem[]): void {
    const c = this.c;
    for (let i = 0; i < items.length; i++) {
      const [name, pidId, meta, id, at, replaces] = items[i]!;
      if (replaces !== null) c.removeAsTold(name, replaces, 'replaced');
      this.admit({ name, pid: new Pid(from, pidId, creation), meta: (meta ?? null) as Term | null, id, at });
    }
  }

  /**
   * As the home of the entry's pid: its owner decided it. The owner removed the entry it
   * replaces on itself only: spreading that is this home's job, whether or not the new pid still
   * lives. A dead pid's registration is then deleted everywhere (the owner holds it); a live one
   * is admitted here and spread to the members.
   */
  decided(e: RegistryEntry, replaces: string | null): void {
    const c = this.c;
    const targets = c.targets(e.name, [e.pid]);
    if (replaces !== null) c.removeAsTold(e.name, replaces, 'replaced');
    if (c.isLocalAlive(e.pid) && this.admit(e)) {
      c.sendAll(targets, ['set', entryToWire(e), replaces, c.view.hash]);
      return;
    }
    if (replaces !== null) c.sendAll(targets, ['del', e.name, replaces, 'unregistered']);
    if (!c.isLocalAlive(e.pid)) c.deleteEverywhere(e, 'died');
  }

  /** Entries from a sync (a handoff, a re-send). */
  sync(from: string, entries: readonly RegistryEntry[]): void {
    this.relayed(from, entries);
  }

  /**
   * Admit entries that `from` passed on. When `from` is not their pid's home, each new one may
   * be a stale copy: its home may have deleted it while this node was not in the home's view (so
   * the home's DEL never came here, and the VERIFY sent when the home joined did not cover it).
   * Ask the home; it answers with the ids that are gone.
   */
  private relayed(from: string, entries: readonly RegistryEntry[]): void {
    const check: RegistryEntry[] = [];
    for (const e of entries) if (this.admitRelayed(from, e)) check.push(e);
    if (check.length > 0) this.c.sendVerifyOf(check);
  }

  /** Admit one relayed entry; true when it is new here and must be checked with its home. */
  private admitRelayed(from: string, e: RegistryEntry): boolean {
    const c = this.c;
    // From its pid's home (every SETS), or of this node's own pid: nothing to check (one id lookup less).
    if (e.pid.node === from || c.isLocal(e.pid)) {
      this.admit(e);
      return false;
    }
    const known = c.table.find(e.name, e.id) !== undefined;
    return this.admit(e) && !known;
  }

  /** A member's own names, sent by their home when it met this node: the home's word overrides tombstones. */
  homeSync(from: string, entries: readonly RegistryEntry[]): boolean {
    if (!entries.every((e) => e.pid.node === from)) return false;
    for (const e of entries) this.admit(e, true);
    return true;
  }

  /** VERIFY from a member that holds these registrations of pids living here: answer which are gone. */
  verify(from: string, req: number, pairs: ReadonlyArray<readonly [string, string]>): void {
    const c = this.c;
    const gone: Array<[string, string]> = [];
    const claiming = new Set(c.homeClaims.values());
    for (const [name, id] of pairs) {
      const e = c.table.find(name, id);
      if (e !== undefined && c.isLocal(e.pid)) continue;
      // Not held here: live only while the home is still claiming that name for one of its pids
      // (the owner's answer may not have come yet), unless this home deleted that very id (ids
      // are never reused, and the home has no other source for its own pids' entries).
      if (c.table.isTombstoned(id) || !claiming.has(name)) gone.push([name, id]);
    }
    c.send(from, ['verified', req, gone]);
  }

  /** The home of these registrations' pids says they are gone: drop them. */
  gone(from: string, pairs: ReadonlyArray<readonly [string, string]>): void {
    const c = this.c;
    for (const [name, id] of pairs) {
      const e = c.table.find(name, id);
      if (e !== undefined && e.pid.node === from) c.applyChange(c.table.remove(name, id), 'unregistered');
    }
  }

  /** As the home of `pid`: it holds one name once; duplicates (decided twice across a partition) go. */
  private dedupeLocal(name: string, pidKey: string): void {
    const c = this.c;
    const mine = c.table.entriesOf(name).filter((e) => e.pid.key === pidKey);
    if (mine.length < 2) return;
    mine.sort(compareEntries);
    for (const extra of mine.slice(1)) c.deleteEverywhere(extra, 'unregistered');
  }

  /** Add one entry if it may be held; returns whether it is held now. */
  private admit(e: RegistryEntry, fromHome = false): boolean {
    const c = this.c;
    if (!c.mayHold(e.pid)) {
      // A dead local pid: this node is the authority, everyone must drop the entry.
      if (c.isLocal(e.pid) && !c.table.isTombstoned(e.id)) c.deleteEverywhere(e, 'died');
      return false;
    }
    if (c.partitioned && !c.isHolder(e.name) && !c.isLocal(e.pid)) return false;
    const change = c.table.add(e, fromHome);
    c.applyChange(change, 'conflict');
    if (c.isLocal(e.pid)) c.host.watch(e.pid);
    if (c.table.hasConflict(e.name)) {
      if (c.isLocal(e.pid)) this.dedupeLocal(e.name, e.pid.key);
      if (c.table.hasConflict(e.name)) this.onConflict(e.name);
      return c.table.find(e.name, e.id) !== undefined;
    }
    // No conflict: a change means this entry is now the name's current one (no id lookup needed).
    return change !== null || c.table.find(e.name, e.id) !== undefined;
  }

  del(name: string, id: string, reason: DelReason): void {
    const c = this.c;
    c.removeAsTold(name, id, reason);
    c.cache.drop(name, id);
    if (c.partitioned && c.view.ring.owner(name) === c.self) c.invalidateCachers(name, id);
  }

  /** The owner resolved a conflict: drop the losers, keep the winner. */
  resolve(from: string, name: string, winner: RegistryEntry | null, losers: readonly string[]): void {
    const c = this.c;
    const loserPids: Pid[] = [];
    for (const id of losers) {
      const e = c.table.find(name, id);
      if (e !== undefined) loserPids.push(e.pid);
      c.removeAsTold(name, id, 'conflict');
    }
    if (winner !== null) this.relayed(from, [winner]);
    c.cache.drop(name);
    if (c.events.size > 0) c.events.emit({ registry: 'conflict', scope: c.scope, name, winner: winner?.pid ?? null, losers: loserPids });
  }

  /** A local process exited: its names go, here and everywhere. */
  localDown(pid: Pid): void {
    const c = this.c;
    if (!c.isLocal(pid) || pid.creation !== c.view.creation) return; // never held (entries of local pids are of this incarnation)
    for (const e of c.table.entriesOfPid(pid.id)) c.deleteEverywhere(e, 'died');
  }
}
