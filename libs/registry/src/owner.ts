import { SdnodeError, type Pid, type Term } from '@sdnode/wire';
import { entryToWire, type RegistryEntry } from './entry.js';
import type { ClaimKind, Outcome } from './ops.js';
import { nameConflictReason, resolveConflict, type NameConflictMessage } from './resolvers.js';
import type { ScopeCore } from './scope-core.js';

/** A claim as the owner sees it. */
export interface Claim {
  readonly req: number;
  readonly kind: ClaimKind;
  readonly name: string;
  readonly pid: Pid | null;
  readonly meta: Term | null;
  /** Hash of the requester's view when it sent the claim. */
  readonly view: string;
}

export interface Answer {
  readonly outcome: Outcome;
  readonly detail: Term | null;
  /**
   * An `ok` decided on this node: the entry and the id it replaces, as objects (`detail` is then
   * null; `wireDetail` gives the wire form a RESULT carries), so that a local answer is neither
   * encoded nor parsed back; also an `ok` that arrived in an OKS op, rebuilt by the requester.
   */
  readonly decided?: Decided;
}

/** A registration an owner decided: the new entry and the id of the entry it replaced. */
export interface Decided {
  readonly entry: RegistryEntry;
  readonly replaces: string | null;
}

/** Where an answer goes: a peer (by request number), or a local callback. */
export type Reply = (answer: Answer) => void;

/**
 * The owner's side (docs/protocols/registry.md, "Deciding"): the owner of a name in the current
 * view alone decides writes to it, one at a time, and only in a stable view; claims that arrive
 * while the view settles wait, and claims made in another view are answered `retry`. Also
 * resolves conflicts among the entries of names it owns; a claim on a name in conflict waits
 * until it is resolved (its answer must not depend on an entry the resolution may remove).
 */
export class NameOwner {
  private queue: Array<{ claim: Claim; reply: Reply }> = [];
  /** Claims on names in conflict, waiting for the resolution. */
  private parked = new Map<string, Array<{ claim: Claim; reply: Reply }>>();
  private readonly checks = new Map<number, { name: string; waiting: Set<string>; timer: ReturnType<typeof setTimeout> }>();
  private readonly checking = new Set<string>();
  private lastCheck = 0;

  constructor(private readonly c: ScopeCore) {}

  get queued(): number {
    let n = this.queue.length;
    for (const list of this.parked.values()) n += list.length;
    return n;
  }

  claim(claim: Claim, reply: Reply): void {
    if (!this.c.view.stable) {
      this.queue.push({ claim, reply });
      return;
    }
    this.process(claim, reply);
  }

  /**
   * A new view was installed: checks begun before it are dropped (a home asked may have left, and
   * its answer would never come); the next stable view checks its conflicts again.
   */
  viewChanged(): void {
    for (const check of this.checks.values()) clearTimeout(check.timer);
    this.checks.clear();
    this.checking.clear();
    // Claims that waited for a resolution are answered in the next stable view (`retry`: they were made in this one).
    for (const list of this.parked.values()) this.queue.push(...list);
    this.parked = new Map();
  }

  /** The view became stable: decide what waited, then the conflicts of names owned here. */
  stable(): void {
    const queue = this.queue;
    this.queue = [];
    for (const { claim, reply } of queue) this.process(claim, reply);
    for (const name of this.c.table.conflicted()) this.maybeResolve(name);
  }

  private process(claim: Claim, reply: Reply): void {
    const c = this.c;
    if (claim.view !== c.view.hash || c.view.ring.owner(claim.name) !== c.self) {
      reply({ outcome: 'retry', detail: c.view.hash });
      return;
    }
    if (this.contested(claim.name)) {
      const list = this.parked.get(claim.name);
      if (list === undefined) this.parked.set(claim.name, [{ claim, reply }]);
      else list.push({ claim, reply });
      this.maybeResolve(claim.name);
      return;
    }
    try {
      reply(this.decide(claim));
    } catch (e) {
      c.host.logger.error({ err: e, scope: c.scope, name: claim.name }, 'registry decision failed');
      reply({ outcome: 'error', detail: (e instanceof SdnodeError ? e.toWire() : { code: 'EREGISTRY', message: String(e), details: {} }) as unknown as Term });
    }
  }

  private decide(claim: Claim): Answer {
    const c = this.c;
    const { name, pid, meta, kind } = claim;
    const current = c.table.get(name);
    if (kind === 'unreg') {
      for (const e of c.table.entriesOf(name)) c.deleteEverywhere(e, 'unregistered');
      return { outcome: 'ok', detail: null };
    }
    if (pid === null) return { outcome: 'error', detail: { code: 'EBADCLAIM', message: 'claim without pid', details: {} } as unknown as Term };
    if (!c.mayHold(pid)) return { outcome: 'noproc', detail: null };
    if (kind === 'reg' && current !== undefined) {
      return current.pid.equals(pid) ? okAnswer(current, null) : { outcome: 'taken', detail: current.pid };
    }
    const entry: RegistryEntry = { name, pid, meta, id: c.ids.next(), at: Date.now() };
    // A re-registration replaces the current entry (and any contenders: the owner's word settles it).
    const replaced = kind === 'rereg' ? c.table.entriesOf(name) : [];
    for (const old of replaced.slice(1)) c.deleteEverywhere(old, 'unregistered');
    const replaces = replaced[0] ?? null;
    // When the replaced pid lives here, this node is its home: it says DEL itself (removeAsTold),
    // as any home does, since the new pid's SET may not reach every member (a partition).
    if (replaces !== null) c.removeAsTold(name, replaces.id, 'replaced');
    c.applyChange(c.table.add(entry), 'replaced');
    c.stats.decided++;
    // The new pid's home spreads the decision (it is the authority on its pids' names); the home
    // of a replaced pid is told here, so that it drops that name (and says so) even where the two differ.
    if (replaces !== null && replaces.pid.node !== pid.node && replaces.pid.node !== c.self && c.view.isMember(replaces.pid.node)) {
      c.send(replaces.pid.node, ['set', entryToWire(entry), replaces.id, c.view.hash]);
    }
    if (replaces !== null) c.invalidateCachers(name, replaces.id);
    if (c.isLocal(pid)) c.host.watch(pid);
    return okAnswer(entry, replaces?.id ?? null);
  }

  /**
   * If this node owns `name` in a stable view and holds entries of different pids for it, first
   * ask the pids' homes which of them are still live (VERIFY: an entry may be a stale copy of a
   * registration its home deleted while apart), then resolve among the live ones. Entries of one
   * pid are not a conflict: that pid's home removes the duplicates.
   */
  maybeResolve(name: string): void {
    const c = this.c;
    if (!c.view.stable || c.view.ring.owner(name) !== c.self || this.checking.has(name) || !this.contested(name)) return;
    const entries = c.table.entriesOf(name);
    const homes = new Set(entries.map((e) => e.pid.node).filter((n) => n !== c.self));
    if (homes.size === 0) {
      this.resolveNow(name);
      return;
    }
    const req = ++this.lastCheck;
    this.checking.add(name);
    for (const home of homes) {
      c.send(home, ['verify', req, entries.filter((e) => e.pid.node === home).map((e) => [e.name, e.id] as const)]);
    }
    const timer = setTimeout(() => this.finishCheck(req), c.settings.requestTimeout);
    timer.unref();
    this.checks.set(req, { name, waiting: homes, timer });
  }

  /** A home answered a VERIFY sent before resolving (its stale entries are already dropped). */
  checked(req: number, home: string): void {
    const check = this.checks.get(req);
    if (check === undefined) return;
    check.waiting.delete(home);
    if (check.waiting.size === 0) this.finishCheck(req);
  }

  private finishCheck(req: number): void {
    const check = this.checks.get(req);
    if (check === undefined) return;
    this.checks.delete(req);
    clearTimeout(check.timer);
    this.checking.delete(check.name);
    this.resolveNow(check.name);
  }

  /** Entries of more than one pid for `name` (entries of one pid are not a conflict: their home dedupes them). */
  private contested(name: string): boolean {
    if (!this.c.table.hasConflict(name)) return false; // one entry or none (no array built: asked for every claim)
    const entries = this.c.table.entriesOf(name);
    return entries.length > 1 && !entries.every((e) => e.pid.equals(entries[0]!.pid));
  }

  /** Resolve the conflict on `name` if there still is one, then decide the claims that waited for it. */
  private resolveNow(name: string): void {
    const c = this.c;
    if (c.view.stable && c.view.ring.owner(name) === c.self && this.contested(name)) this.resolve(name);
    const waiting = this.parked.get(name);
    if (waiting === undefined) return;
    this.parked.delete(name);
    for (const { claim, reply } of waiting) this.claim(claim, reply);
  }

  private resolve(name: string): void {
    const c = this.c;
    const entries = c.table.entriesOf(name);
    const r = resolveConflict(c.settings.resolver, name, entries);
    const loserIds = r.losers.map((e) => e.id);
    for (const id of loserIds) c.applyChange(c.table.remove(name, id), 'conflict');
    c.stats.conflictsResolved++;
    const everyone = [...entries.map((e) => e.pid)];
    c.sendAll(c.targets(name, everyone), ['resolve', name, r.winner === null ? null : entryToWire(r.winner), loserIds]);
    for (const id of loserIds) c.invalidateCachers(name, id);
    c.host.logger.warn(
      { scope: c.scope, name, winner: r.winner?.pid.toString() ?? null, losers: r.losers.map((e) => e.pid.toString()) },
      'registry name conflict resolved',
    );
    if (c.events.size > 0) c.events.emit({ registry: 'conflict', scope: c.scope, name, winner: r.winner?.pid ?? null, losers: r.losers.map((e) => e.pid) });
    const winnerPid = r.winner?.pid ?? null;
    const node = c.host.node;
    for (const loser of r.losers) {
      if (winnerPid !== null && loser.pid.equals(winnerPid)) continue; // the same pid twice: not a conflict
      if (r.action === 'exit' && winnerPid !== null) {
        node.exit(loser.pid, nameConflictReason(c.scope, name, winnerPid));
      } else {
        const msg: NameConflictMessage = { registry: 'name_conflict', scope: c.scope, name, winner: winnerPid };
        node.send(loser.pid, msg);
      }
    }
    if (r.action === 'notify' && winnerPid !== null) {
      const msg: NameConflictMessage = { registry: 'name_conflict', scope: c.scope, name, winner: winnerPid };
      node.send(winnerPid, msg);
    }
  }
}

/** An `ok` answer: the objects (its wire form is made only when it goes to a peer: `wireDetail`). */
function okAnswer(entry: RegistryEntry, replaces: string | null): Answer {
  return { outcome: 'ok', detail: null, decided: { entry, replaces } };
}

/** An answer's `detail` as a RESULT carries it: an `ok` decided here as `[entry, replaced id]`. */
export function wireDetail(a: Answer): Term | null {
  return a.decided === undefined ? a.detail : ([entryToWire(a.decided.entry), a.decided.replaces] as unknown as Term);
}
