import type { CoreLogger, Node } from '@sdnode/core';
import type { Pid } from '@sdnode/wire';
import { EntryIds, entryToWire, type RegistryEntry } from './entry.js';
import type { RegistryEvent, UnregisterReason } from './events.js';
import { Subscribers } from './events.js';
import { LookupCache } from './lookup-cache.js';
import { NameTable, type NameChange } from './name-table.js';
import type { MembershipSource } from './membership.js';
import type { DelReason, Op } from './ops.js';
import type { ScopeSettings } from './scope-settings.js';
import type { ScopeView } from './scope-view.js';

/** What a scope needs from its registry: the node, ordered sending, local pid watching. */
export interface ScopeHost {
  readonly node: Node;
  readonly logger: CoreLogger;
  /** Queue an op for a peer (batched, in order). */
  send(peer: string, scope: string, op: Op): void;
  /** Queue an op for several peers (not this node); encoded once for all of them. */
  sendAll(peers: readonly string[], scope: string, op: Op): void;
  /** Decode the ops of a broadcast item (a byte string in a frame's item list); a string says what is wrong. */
  decodeOps(bytes: Uint8Array): readonly unknown[] | string;
  /** Watch a local pid: the registry tells every scope when it exits. */
  watch(pid: Pid): void;
}

/** Counters of one scope (info, metrics, tests). */
export interface ScopeStats {
  /** Ops received that were malformed or not allowed from their sender: dropped. */
  dropped: number;
  /** Registrations this node decided as an owner. */
  decided: number;
  /** Conflicts this node resolved as an owner. */
  conflictsResolved: number;
  /** Views installed. */
  views: number;
  /** Views that were made stable by the settle timeout rather than by every report. */
  forcedStable: number;
}

/**
 * The state one scope's protocol handlers share: its names, its view, its settings, and the
 * helpers that keep every copy consistent (which peers an update goes to, which pids may be
 * held, events for each change).
 */
export class ScopeCore {
  readonly table: NameTable;
  readonly cache: LookupCache;
  readonly ids: EntryIds;
  /** Partitioned mode, on the owner: nodes that cached a name from a lookup. */
  readonly cachers = new Map<string, Set<string>>();
  /** On the home: the name each local pid (by its number: pids of this incarnation) is being registered under (claims in flight). */
  readonly homeClaims = new Map<number, string>();
  readonly events: Subscribers<RegistryEvent>;
  readonly stats: ScopeStats = { dropped: 0, decided: 0, conflictsResolved: 0, views: 0, forcedStable: 0 };

  constructor(
    readonly scope: string,
    readonly host: ScopeHost,
    readonly settings: ScopeSettings,
    readonly view: ScopeView,
    readonly membership: MembershipSource,
  ) {
    this.table = new NameTable(view.self);
    this.cache = new LookupCache(settings.cacheSize);
    this.ids = new EntryIds(view.self, view.creation);
    this.events = new Subscribers(host.node, host.logger);
  }

  get self(): string {
    return this.view.self;
  }

  get partitioned(): boolean {
    return this.settings.mode === 'partitioned';
  }

  /** May this node write to the scope? */
  isMemberNode(): boolean {
    return this.membership.isMember();
  }

  send(peer: string, op: Op): void {
    this.host.send(peer, this.scope, op);
  }

  /**
   * `op` to `peers` (this node is skipped). To the view's peers (`view.peers()`, one array for a
   * run of ops: replicated SETs, DELs, VIEW, JOINs) the ops are collected and encoded once for all
   * of them. Any other list (a partitioned name's holders, a fresh array per name) goes peer by
   * peer, so that each peer's SETs of this node's pids coalesce into one SETS: a list shared by
   * no other op would cost an encoding and a frame item per op.
   */
  sendAll(peers: readonly string[], op: Op): void {
    if (peers === this.view.peers()) {
      this.host.sendAll(peers, this.scope, op);
      return;
    }
    for (const p of peers) if (p !== this.self) this.host.send(p, this.scope, op);
  }

  isLocal(pid: Pid): boolean {
    return pid.node === this.self;
  }

  isLocalAlive(pid: Pid): boolean {
    return pid.creation === this.view.creation && this.host.node.isAlive(pid);
  }

  /** May an entry for `pid` be held: a live local pid, or a pid of a member's current incarnation. */
  mayHold(pid: Pid): boolean {
    return this.isLocal(pid) ? this.isLocalAlive(pid) : this.view.creationOf(pid.node) === pid.creation;
  }

  /** Holders of a name in the current view (every member in replicated mode). */
  holders(name: string): readonly string[] {
    return this.partitioned ? this.view.ring.holders(name, this.settings.replicas) : this.view.members;
  }

  isHolder(name: string): boolean {
    return !this.partitioned || this.holders(name).includes(this.self);
  }

  /**
   * Who must learn of a change to `name` involving these pids: its holders and the pids' homes
   * (other than this node). Replicated mode: every other member (the view's own array, not a copy).
   */
  targets(name: string, pids: readonly Pid[]): readonly string[] {
    if (!this.partitioned) return this.view.peers();
    const out = new Set(this.holders(name));
    for (const p of pids) if (this.view.isMember(p.node)) out.add(p.node);
    out.delete(this.self);
    return [...out];
  }

  /** Delete an entry here and everywhere it is held. */
  deleteEverywhere(e: RegistryEntry, reason: DelReason): void {
    this.applyChange(this.table.remove(e.name, e.id), reason === 'died' ? 'died' : 'unregistered');
    this.sendAll(this.targets(e.name, [e.pid]), ['del', e.name, e.id, reason]);
    this.invalidateCachers(e.name, e.id);
  }

  /**
   * Remove an entry because another node said so (a DEL, a replacement, a resolution). When
   * its pid lives here this node is the authority: it says DEL itself, so that its own stream
   * of updates (which also carries its names to new members) ends with the deletion.
   */
  removeAsTold(name: string, id: string, reason: UnregisterReason): void {
    const e = this.table.find(name, id);
    this.applyChange(this.table.remove(name, id), reason);
    if (e !== undefined && this.isLocal(e.pid)) {
      this.sendAll(this.targets(e.name, [e.pid]), ['del', e.name, e.id, reason === 'died' ? 'died' : 'unregistered']);
    }
  }

  /** Partitioned owner: tell the nodes that cached `name` that registration `id` is gone. */
  invalidateCachers(name: string, id: string): void {
    const nodes = this.cachers.get(name);
    if (nodes === undefined) return;
    this.cachers.delete(name);
    this.sendAll([...nodes], ['inval', name, id]);
  }

  /** Emit events for a change of a name's current entry. */
  applyChange(change: NameChange | null, reason: UnregisterReason): void {
    if (change === null || this.events.size === 0) return;
    const { name, before, after } = change;
    if (before !== undefined) this.events.emit({ registry: 'unregistered', scope: this.scope, name, pid: before.pid, reason });
    if (after !== undefined) this.events.emit({ registry: 'registered', scope: this.scope, name, pid: after.pid, meta: after.meta });
  }

  applyChanges(changes: readonly NameChange[], reason: UnregisterReason): void {
    if (this.events.size === 0) return;
    for (const c of changes) this.applyChange(c, reason);
  }

  /** Entries to one peer, 256 per op: `hsync` when they are this node's own pids' names (the home's word). */
  sendEntries(peer: string, entries: readonly RegistryEntry[], op: 'sync' | 'hsync' = 'sync'): void {
    for (let i = 0; i < entries.length; i += 256) this.send(peer, [op, entries.slice(i, i + 256).map(entryToWire)]);
  }

  /** Ask a member that just joined the view about the registrations held here for its pids. */
  sendVerify(peer: string): void {
    this.sendVerifyOf(this.table.entriesOfNode(peer));
  }

  /** Ask the homes of these entries' pids (members of the view) which of them are gone. */
  sendVerifyOf(entries: readonly RegistryEntry[]): void {
    const byHome = new Map<string, Array<[string, string]>>();
    for (const e of entries) {
      const home = e.pid.node;
      if (home === this.self || !this.view.isMember(home)) continue;
      let pairs = byHome.get(home);
      if (pairs === undefined) byHome.set(home, (pairs = []));
      pairs.push([e.name, e.id]);
    }
    for (const [home, pairs] of byHome) {
      for (let i = 0; i < pairs.length; i += 512) this.send(home, ['verify', 0, pairs.slice(i, i + 512)]);
    }
  }
}
