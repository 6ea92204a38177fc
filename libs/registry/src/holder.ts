import type { Pid } from '@sdnode/wire';
import { entryToWire, type RegistryEntry } from './entry.js';
import type { DelReason } from './ops.js';
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

  /** An owner's decision. `view` is the hash of the view it was decided in. */
  set(e: RegistryEntry, replaces: string | null, view: string): void {
    const c = this.c;
    if (replaces !== null) c.applyChange(c.table.remove(replaces), 'replaced');
    if (!this.admit(e)) return;
    if (c.isLocal(e.pid) && view !== c.view.hash) {
      // Decided in a view this node has left: members that joined since never got it.
      c.sendAll(c.partitioned ? c.targets(e.name, [e.pid]) : c.view.peers(), ['sync', [entryToWire(e)]]);
    }
  }

  /** Entries from a sync (a new member's names, a handoff, a re-send). */
  sync(entries: readonly RegistryEntry[]): void {
    for (const e of entries) this.admit(e);
  }

  /** Add one entry if it may be held; returns whether it is held now. */
  private admit(e: RegistryEntry): boolean {
    const c = this.c;
    if (!c.mayHold(e.pid)) {
      // A dead local pid: this node is the authority, everyone must drop the entry.
      if (c.isLocal(e.pid) && !c.table.isTombstoned(e.id)) c.deleteEverywhere(e, 'died');
      return false;
    }
    if (c.partitioned && !c.isHolder(e.name) && !c.isLocal(e.pid)) return false;
    const change = c.table.add(e);
    c.applyChange(change, 'conflict');
    if (c.isLocal(e.pid)) c.host.watch(e.pid);
    if (c.table.hasConflict(e.name)) this.onConflict(e.name);
    return c.table.getById(e.id) !== undefined;
  }

  del(name: string, id: string, reason: DelReason): void {
    const c = this.c;
    c.applyChange(c.table.remove(id), reason);
    c.cache.drop(name, id);
    if (c.partitioned && c.view.ring.owner(name) === c.self) c.invalidateCachers(name, id);
  }

  /** The owner resolved a conflict: drop the losers, keep the winner. */
  resolve(name: string, winner: RegistryEntry | null, losers: readonly string[]): void {
    const c = this.c;
    const loserPids: Pid[] = [];
    for (const id of losers) {
      const e = c.table.getById(id);
      if (e !== undefined) loserPids.push(e.pid);
      c.applyChange(c.table.remove(id), 'conflict');
    }
    if (winner !== null) this.admit(winner);
    c.cache.drop(name);
    if (c.events.size > 0) c.events.emit({ registry: 'conflict', scope: c.scope, name, winner: winner?.pid ?? null, losers: loserPids });
  }

  /** A local process exited: its names go, here and everywhere. */
  localDown(pid: Pid): void {
    const c = this.c;
    for (const id of c.table.idsOfPid(pid.key)) {
      const e = c.table.getById(id);
      if (e !== undefined) c.deleteEverywhere(e, 'died');
    }
  }
}
