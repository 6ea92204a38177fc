import type { NameRegistration, NameService } from '@sdnode/core';
import { InvalidArgumentError, NameNotRegisteredError, NotAMemberError, checkSendable, isPid, type Pid, type Term } from '@sdnode/wire';
import { isValidName, type RegistryEntry } from './entry.js';
import type { Listener, RegistryEvent } from './events.js';
import type { Answer } from './owner.js';
import type { WaitOptions } from './pending-requests.js';
import type { ProcessGroups } from './process-groups.js';
import { registerResult, type RegisterResult } from './register-result.js';
import type { ScopeProtocol } from './scope-protocol.js';
import type { ScopeStats } from './scope-core.js';
import type { ViewState } from './scope-view.js';

/** A snapshot of one scope on one node. */
export interface ScopeInfo {
  readonly scope: string;
  readonly mode: 'replicated' | 'partitioned';
  readonly membership: string;
  /** The current view: this node and the admitted members, sorted. */
  readonly members: readonly string[];
  readonly viewHash: string;
  readonly state: ViewState;
  /** Members whose report of the current view has not arrived. */
  readonly waitingFor: readonly string[];
  /** Peers not admitted, and why (a scope mode that differs). */
  readonly refused: Readonly<Record<string, string>>;
  readonly names: number;
  /** Names held here with more than one entry (a conflict waiting for its owner). */
  readonly conflicts: number;
  readonly cached: number;
  readonly tombstones: number;
  readonly groups: number;
  readonly pendingRequests: number;
  readonly queuedClaims: number;
  readonly stats: Readonly<ScopeStats>;
}

/**
 * A name space replicated over a set of member nodes (the global scope of the free nodes, an
 * s_group, a fixed list). Register, look up and send by name; process groups in `pg`.
 *
 * | call | what happens |
 * | --- | --- |
 * | `register(name, pid, meta?)` | the pid's home node checks it is alive and has no other name here, then the name's owner decides; `ok` once decided (readable here at once, on other members within milliseconds) |
 * | `reRegister(name, pid, meta?)` | as register, but replaces whoever holds the name |
 * | `unregister(name)` | the owner deletes it everywhere; fine when absent |
 * | `whereis(name)` / `lookup(name)` | this node's view (replicated: every name; partitioned: held or cached) |
 * | `find(name)` | partitioned mode: asks the owner when not held or cached here |
 * | `send(name, msg)` | to the pid; throws NameNotRegisteredError when absent (partitioned: via the owner) |
 */
export class Scope implements NameService {
  constructor(private readonly p: ScopeProtocol) {
    p.homeRegister = (kind, name, pid, meta) => this.homeRegister(kind, name, pid, (meta ?? null) as Term | null, {}, sameAnswer);
  }

  get name(): string {
    return this.p.scope;
  }

  get mode(): 'replicated' | 'partitioned' {
    return this.p.settings.mode;
  }

  /** Process groups of this scope (Erlang's pg). */
  get pg(): ProcessGroups {
    return this.p.groups;
  }

  /** Is this node a member (may it write)? */
  get isMember(): boolean {
    return this.p.membership.isMember();
  }

  register(name: string, pid: Pid, meta: Term | null = null, options: WaitOptions = {}): Promise<RegisterResult> {
    return this.write('reg', name, pid, meta, options);
  }

  reRegister(name: string, pid: Pid, meta: Term | null = null, options: WaitOptions = {}): Promise<RegisterResult> {
    return this.write('rereg', name, pid, meta, options);
  }

  async unregister(name: string, options: WaitOptions = {}): Promise<void> {
    this.checkWrite(name);
    const a = await this.p.requester.claim('unreg', name, null, null, options);
    if (a.outcome !== 'ok') registerResult(a);
  }

  whereis(name: string): Pid | undefined {
    return this.lookup(name)?.pid;
  }

  lookup(name: string): RegistryEntry | undefined {
    const c = this.p.core;
    const e = c.table.get(name) ?? (c.partitioned ? c.cache.get(name) : undefined);
    if (e === undefined || (e.pid.node === c.self && !c.isLocalAlive(e.pid))) return undefined;
    return e;
  }

  /** The entry of `name`, asking its owner when this node neither holds nor caches it (partitioned mode). */
  async find(name: string, options: WaitOptions = {}): Promise<RegistryEntry | undefined> {
    if (!isValidName(name)) throw new InvalidArgumentError('name', 'must be a non-empty string of at most 255 characters');
    const local = this.lookup(name);
    if (local !== undefined || !this.p.core.partitioned || this.p.view.ring.owner(name) === this.p.core.self) return local;
    return (await this.p.requester.lookup(name, options)) ?? undefined;
  }

  send(name: string, msg: unknown): void {
    const pid = this.whereis(name);
    if (pid !== undefined) {
      this.p.host.node.send(pid, msg);
      return;
    }
    const c = this.p.core;
    const owner = c.partitioned ? this.p.view.ring.owner(name) : c.self;
    if (owner === c.self) throw new NameNotRegisteredError(this.name, name);
    c.send(owner, ['send', name, msg as Term]);
  }

  /** Names this node holds (replicated: every name of the scope). */
  registeredNames(): string[] {
    return [...this.p.core.table.names()];
  }

  /** Names held here whose pid lives on `node`. */
  namesOfNode(node: string): string[] {
    const out: string[] = [];
    for (const e of this.p.core.table.values()) if (e.pid.node === node) out.push(e.name);
    return out;
  }

  count(): number {
    return this.p.core.table.size;
  }

  /** registered / unregistered / conflict events of this node's view, to a callback or a process. */
  subscribe(listener: Listener<RegistryEvent> | Pid): () => void {
    return this.p.core.events.add(listener);
  }

  /** Members of the current view (this node included) and whether it is stable. */
  view(): { readonly members: readonly string[]; readonly hash: string; readonly stable: boolean } {
    const v = this.p.view;
    return { members: v.members, hash: v.hash, stable: v.stable };
  }

  info(): ScopeInfo {
    const p = this.p;
    const c = p.core;
    return {
      scope: this.name,
      mode: this.mode,
      membership: p.membership.kind,
      members: p.view.members,
      viewHash: p.view.hash,
      state: p.view.state,
      waitingFor: p.view.waitingFor(),
      refused: Object.fromEntries(p.refused),
      names: c.table.size,
      conflicts: c.table.conflicted().length,
      cached: c.cache.size,
      tombstones: c.table.tombstoneCount,
      groups: p.groups.groupCount,
      pendingRequests: p.requester.requests.size,
      queuedClaims: p.owner.queued,
      stats: { ...c.stats },
    };
  }

  // ---- the name service of OTP behaviours ({global: name}, {scope, name}, {via, name}) ----

  get scopeName(): string {
    return this.name;
  }

  async registerName(name: string, pid: Pid, options: WaitOptions = {}): Promise<NameRegistration> {
    const r = await this.register(name, pid, null, options);
    return r.ok ? { ok: true } : r;
  }

  unregisterName(name: string, options: WaitOptions = {}): Promise<void> {
    return this.unregister(name, options);
  }

  whereisName(name: string): Pid | undefined {
    return this.whereis(name);
  }

  // ---- writes ----

  private checkWrite(name: string): void {
    if (!isValidName(name)) throw new InvalidArgumentError('name', 'must be a non-empty string of at most 255 characters');
    if (!this.isMember) throw this.p.membership.refusal?.() ?? new NotAMemberError(this.name, this.p.core.self);
  }

  /** A plain function, not an async one (a promise and a turn less per registration): a refused call is a rejected promise all the same. */
  private write(kind: 'reg' | 'rereg', name: string, pid: Pid, meta: Term | null, options: WaitOptions): Promise<RegisterResult> {
    try {
      this.checkWrite(name);
      if (!isPid(pid)) throw new InvalidArgumentError('pid', 'expected a Pid');
      // The entry travels to every member: an unsendable meta fails here, in the caller's hands.
      if (meta !== null) {
        const refusal = checkSendable(meta, 'meta');
        if (refusal !== undefined) throw refusal;
      }
      const c = this.p.core;
      if (c.isLocal(pid)) return this.homeRegister(kind, name, pid, meta, options, registerResult);
      if (!this.p.view.isMember(pid.node)) throw new NotAMemberError(this.name, pid.node, 'is not in the current view of');
      return this.p.requester.forward(pid.node, kind, name, pid, meta, options).then(registerResult);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /**
   * On the pid's home: the authority on the pid checks it, then claims the name; resolves with
   * `finish` of the answer. One promise per registration: the claim's own, settled through
   * `finish` (no `then` after it, no closure per call); the requester drops the name from
   * `homeClaims` when the claim ends, however it ends.
   */
  private homeRegister<R>(kind: 'reg' | 'rereg', name: string, pid: Pid, meta: Term | null, options: WaitOptions, finish: (a: Answer) => R): Promise<R> {
    const c = this.p.core;
    if (!c.isLocalAlive(pid)) return settledWith(finish, NOPROC);
    const key = pid.id; // alive here: of this incarnation
    const other = c.table.otherNameOf(key, name) ?? c.homeClaims.get(key);
    if (other !== undefined && other !== name) return settledWith(finish, { outcome: 'already_named', detail: other });
    // Not watched yet: the entry is watched when it is admitted here (`NameHolder.admit`); a pid
    // that dies before is seen dead by `decided`, which then deletes the decision everywhere.
    c.homeClaims.set(key, name);
    try {
      return this.p.requester.homeClaim(kind, name, pid, meta, options, finish);
    } catch (e) {
      if (c.homeClaims.get(key) === name) c.homeClaims.delete(key);
      return Promise.reject(e as Error);
    }
  }
}

/** `finish(a)` as a settled promise (rejected when it throws). */
function settledWith<R>(finish: (a: Answer) => R, a: Answer): Promise<R> {
  try {
    return Promise.resolve(finish(a));
  } catch (e) {
    return Promise.reject(e as Error);
  }
}

const sameAnswer = (a: Answer): Answer => a;

const NOPROC: Answer = Object.freeze({ outcome: 'noproc', detail: null });
