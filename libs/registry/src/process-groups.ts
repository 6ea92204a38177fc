import { InvalidArgumentError, NoProcError, NotAMemberError, isPid, type Pid } from '@sdnode/wire';
import { isValidName } from './entry.js';
import { Subscribers, type GroupEvent, type Listener } from './events.js';
import type { ScopeCore } from './scope-core.js';

const PIDS_PER_OP = 4096;

/**
 * Members of one group on one node: pid number -> pid and how many times it joined. Keyed by the
 * pid's number, not its key string: every pid held for a node is of the incarnation the view
 * admitted (a remote pid is checked with `mayHold`, a local one is alive), so the number names it,
 * and a small-integer key needs no string built and hashed per join (a third of a join's cost).
 */
type NodeMembers = Map<number, { readonly pid: Pid; count: number }>;

/**
 * Process groups of one scope, like Erlang's pg: a pid joins a group (several times if it likes),
 * every member node sees it. Each node is the authority on its own pids and broadcasts only
 * those (JOIN / LEAVE to the view, PGSYNC of all of them to a new member), so groups never
 * conflict: after a partition heals each side simply learns the other's members again.
 * A member that exits leaves every group; a node that leaves the view takes its members along.
 */
export class ProcessGroups {
  private readonly groups = new Map<string, Map<string, NodeMembers>>();
  private readonly flat = new Map<string, Pid[]>();
  private readonly monitors = new Map<string | null, Subscribers<GroupEvent>>();

  constructor(private readonly c: ScopeCore) {}

  /** Local pids join `group` (each pid once more). */
  join(group: string, pids: Pid | readonly Pid[]): void {
    const list = this.localPids('join', group, pids);
    const c = this.c;
    for (const pid of list) {
      if (!c.isLocalAlive(pid)) throw new NoProcError(pid.toString(), { scope: c.scope, group });
    }
    this.add(c.self, group, list);
    for (const pid of list) c.host.watch(pid);
    c.sendAll(c.view.peers(), ['join', group, list]);
  }

  /** Local pids leave `group` once each; returns false when one of them was not a member. */
  leave(group: string, pids: Pid | readonly Pid[]): boolean {
    const list = this.localPids('leave', group, pids);
    const left = this.remove(this.c.self, group, list);
    if (left.length > 0) this.c.sendAll(this.c.view.peers(), ['leave', group, left]);
    return left.length === list.length;
  }

  /** Every member of `group` on every node of the view (a pid that joined twice is listed twice). */
  members(group: string): readonly Pid[] {
    let list = this.flat.get(group);
    if (list !== undefined) return list;
    list = [];
    for (const byNode of this.groups.get(group)?.values() ?? []) {
      for (const { pid, count } of byNode.values()) for (let i = 0; i < count; i++) list.push(pid);
    }
    this.flat.set(group, list);
    return list;
  }

  localMembers(group: string): Pid[] {
    const out: Pid[] = [];
    for (const { pid, count } of this.groups.get(group)?.get(this.c.self)?.values() ?? []) for (let i = 0; i < count; i++) out.push(pid);
    return out;
  }

  /** Groups with at least one member. */
  whichGroups(): string[] {
    return [...this.groups.keys()];
  }

  /** Join/leave events of `group` (or of every group, with null) to a callback or a process. */
  monitor(group: string | null, listener: Listener<GroupEvent> | Pid): () => void {
    if (group !== null && !isValidName(group)) throw new InvalidArgumentError('group', 'must be a non-empty string of at most 255 characters');
    let subs = this.monitors.get(group);
    if (subs === undefined) this.monitors.set(group, (subs = new Subscribers(this.c.host.node, this.c.host.logger)));
    return subs.add(listener);
  }

  // ---- from peers ----

  remoteJoin(from: string, group: string, pids: readonly Pid[]): boolean {
    if (!this.allOf(from, pids)) return false;
    this.add(from, group, pids);
    return true;
  }

  remoteLeave(from: string, group: string, pids: readonly Pid[]): boolean {
    if (!pids.every((p) => p.node === from)) return false;
    this.remove(from, group, pids);
    return true;
  }

  /** A member's memberships, sent when it met this node (it had none here: it just joined the view). */
  remoteSync(from: string, groups: ReadonlyArray<readonly [string, readonly Pid[]]>): boolean {
    if (!groups.every(([, pids]) => this.allOf(from, pids))) return false;
    for (const [group, pids] of groups) this.add(from, group, pids);
    return true;
  }

  /** Send this node's memberships to a new member of the view, at most 4096 pids per op. */
  syncTo(peer: string): void {
    let batch: Array<[string, Pid[]]> = [];
    let size = 0;
    for (const group of this.groups.keys()) {
      const local = this.localMembers(group);
      for (let i = 0; i < local.length; i += PIDS_PER_OP) {
        const slice = local.slice(i, i + PIDS_PER_OP);
        if (size + slice.length > PIDS_PER_OP && batch.length > 0) {
          this.c.send(peer, ['pgsync', batch]);
          batch = [];
          size = 0;
        }
        batch.push([group, slice]);
        size += slice.length;
      }
    }
    if (batch.length > 0) this.c.send(peer, ['pgsync', batch]);
  }

  /** A node left the view: its members leave every group here. */
  removeNode(node: string): void {
    for (const [group, byNode] of this.groups) {
      const members = byNode.get(node);
      if (members === undefined) continue;
      const pids: Pid[] = [];
      for (const { pid, count } of members.values()) for (let i = 0; i < count; i++) pids.push(pid);
      this.remove(node, group, pids);
    }
  }

  /** A local pid exited: it leaves every group, everywhere. */
  localDown(pid: Pid): void {
    for (const [group, byNode] of [...this.groups]) {
      const m = byNode.get(this.c.self)?.get(pid.id);
      if (m === undefined || m.pid.creation !== pid.creation) continue;
      const pids: Pid[] = new Array<Pid>(m.count).fill(pid);
      this.remove(this.c.self, group, pids);
      this.c.sendAll(this.c.view.peers(), ['leave', group, pids]);
    }
  }

  get groupCount(): number {
    return this.groups.size;
  }

  /**
   * Are these pids all of `from`, a member, and of the incarnation the view admitted (what
   * `mayHold` says of each, with the member's creation looked up once, not once per pid)?
   */
  private allOf(from: string, pids: readonly Pid[]): boolean {
    if (from === this.c.self) return pids.every((p) => this.c.mayHold(p));
    const creation = this.c.view.creationOf(from);
    if (creation === undefined) return false;
    for (let i = 0; i < pids.length; i++) {
      const p = pids[i]!;
      if (p.node !== from || p.creation !== creation) return false;
    }
    return true;
  }

  // ---- the table ----

  private localPids(op: string, group: string, pids: Pid | readonly Pid[]): readonly Pid[] {
    const c = this.c;
    if (!c.isMemberNode()) throw c.membership.refusal?.() ?? new NotAMemberError(c.scope, c.self);
    if (!isValidName(group)) throw new InvalidArgumentError('group', 'must be a non-empty string of at most 255 characters');
    const list = isPid(pids) ? [pids] : pids;
    if (!Array.isArray(list) || !list.every((p) => isPid(p) && c.isLocal(p))) throw new InvalidArgumentError('pids', `${op} takes local pids (each node is the authority on its own members)`);
    return list;
  }

  private add(node: string, group: string, pids: readonly Pid[]): void {
    if (pids.length === 0) return;
    let byNode = this.groups.get(group);
    if (byNode === undefined) this.groups.set(group, (byNode = new Map()));
    let members = byNode.get(node);
    if (members === undefined) byNode.set(node, (members = new Map()));
    for (const pid of pids) {
      const m = members.get(pid.id);
      if (m === undefined) members.set(pid.id, { pid, count: 1 });
      else m.count++;
    }
    this.flat.delete(group);
    this.notify('join', group, pids);
  }

  /** Remove one membership per pid given; returns the pids that were members. */
  private remove(node: string, group: string, pids: readonly Pid[]): Pid[] {
    const byNode = this.groups.get(group);
    const members = byNode?.get(node);
    if (byNode === undefined || members === undefined) return [];
    const left: Pid[] = [];
    for (const pid of pids) {
      const m = members.get(pid.id);
      if (m === undefined || m.pid.creation !== pid.creation) continue;
      left.push(pid);
      if (--m.count === 0) members.delete(pid.id);
    }
    if (members.size === 0) byNode.delete(node);
    if (byNode.size === 0) this.groups.delete(group);
    if (left.length > 0) {
      this.flat.delete(group);
      this.notify('leave', group, left);
    }
    return left;
  }

  private notify(kind: 'join' | 'leave', group: string, pids: readonly Pid[]): void {
    if (this.monitors.size === 0) return;
    const event: GroupEvent = { registry: kind, scope: this.c.scope, group, pids };
    this.monitors.get(group)?.emit(event);
    this.monitors.get(null)?.emit(event);
  }
}
