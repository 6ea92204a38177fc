import { GossipRedial, type ConnectionPolicy, type PolicyHost } from '@sdnode/core';
import type { DisconnectReason, PeerInfo } from '@sdnode/transport';
import type { NodesFrame } from '@sdnode/wire';
import { GroupTable, type TableChange } from './group-table.js';
import { FreeScopeMembership, MembershipSignals } from './scope-memberships.js';

/** What the s_groups service hears from its policy. */
export interface PolicyListener {
  nodeUp(peer: PeerInfo): void;
  nodeDown(peer: PeerInfo): void;
}

/**
 * Connections with s_groups (SD Erlang's non-transitive connections), replacing FullMeshPolicy:
 * - an s_group node connects on its own to the members of its groups, and to nobody else; it
 *   neither sends nor accepts NODES gossip, so nothing propagates outside its groups;
 * - free visible nodes keep the transitive full mesh among themselves (NODES lists free nodes
 *   only, and is accepted only between free nodes);
 * - hidden nodes stay point to point;
 * - any node may still connect to any other because a process used a pid or name there: such a
 *   connection is point to point and not in the visible node list (`visible`).
 * Removing a node from a group disconnects the remaining members from it unless they still share
 * a group (or are both free).
 */
export class SGroupPolicy implements ConnectionPolicy {
  readonly name = 'sgroups';
  private host: PolicyHost | null = null;
  private tableValue: GroupTable | null = null;
  listener: PolicyListener | null = null;

  /** Nodes this policy connected to because they share a group (cut when no group justifies them any more). */
  private readonly dialed = new Set<string>();
  /** Membership changes, for the registry scopes of the groups and of the free nodes. */
  readonly signals = new MembershipSignals();
  /** Where nodes listen, as peers told (INFO): used when a definition does not say. */
  readonly addressBook = new Map<string, string>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Nodes an s_group change in progress involves: never cut while pinned (see pin). */
  private readonly pins = new Map<string, number>();
  /** Pinned nodes whose cut was due: checked again when the last pin goes. */
  private readonly deferredCuts = new Set<string>();
  /** Nodes dialled because NODES gossip listed them as free, until their meeting INFO (see met). */
  private readonly gossiped = new Set<string>();
  /**
   * Re-dials of gossiped free nodes whose dial failed, while this node and they stay free: the
   * free mesh's pairs that a herd of handshakes left unconnected at start (nothing else dials them).
   */
  private readonly redial = new GossipRedial(
    () => this.host,
    (node) => this.free && this.tableValue !== null && !this.tableValue.inSomeGroup(node),
  );

  /**
   * @param cutDelayMs how long after a removal the connections it no longer justifies are closed.
   * @param meshIntervalMs how often missing group members are dialled again, and connections
   *   this policy made that no group justifies any more are closed.
   */
  constructor(
    private readonly cutDelayMs = 300,
    private readonly meshIntervalMs = 1000,
  ) {}

  get table(): GroupTable {
    if (this.tableValue === null) throw new Error('SGroupPolicy: the node has not started with this policy');
    return this.tableValue;
  }

  get started(): boolean {
    return this.host !== null;
  }

  start(host: PolicyHost): void {
    this.host = host;
    this.tableValue ??= new GroupTable(host.name);
    this.armMaintenance();
  }

  /**
   * The membership of the global name scope with s_groups: the free visible nodes. Give it to
   * `Registry.start(node, { global: { membership } })`.
   */
  freeMembership(hidden: boolean): FreeScopeMembership {
    return new FreeScopeMembership(() => this.table, hidden, this.signals);
  }

  /** Is this node free (in no s_group)? */
  get free(): boolean {
    return this.tableValue === null || !this.tableValue.inSomeGroup(this.tableValue.self);
  }

  visible(peer: PeerInfo): boolean {
    const t = this.tableValue;
    if (t === null) return true;
    return this.free ? !t.inSomeGroup(peer.name) : t.share(t.self, peer.name);
  }

  nodeUp(peer: PeerInfo): void {
    this.redial.forget(peer.name);
    if (this.dialed.has(peer.name)) this.armMaintenance(); // a dial nothing justifies any more is cut
    this.listener?.nodeUp(peer);
    if (!peer.hidden) this.gossipFree(peer.name);
  }

  nodeDown(peer: PeerInfo, _reason: DisconnectReason): void {
    this.gossiped.delete(peer.name);
    if (this.dialed.has(peer.name)) this.armMaintenance(); // a group member is dialled again
    this.listener?.nodeDown(peer);
  }

  connectFailed(node: string): void {
    if (this.dialed.has(node)) this.armMaintenance();
    if (!this.redial.failed(node)) this.gossiped.delete(node);
  }

  /**
   * The meeting INFO of `node` was handled (a full INFO). A node dialled only because a free peer's
   * gossip listed it, which turns out to be in a group this node does not share, had joined it
   * before the gossiping peer heard (its INFO was on the way): the connection is closed, as nothing
   * justifies it (docs/protocols/sgroups.md, "Connections").
   */
  met(node: string): void {
    const t = this.tableValue;
    if (!this.gossiped.delete(node) || t === null) return;
    if (t.inSomeGroup(node) && !t.share(t.self, node)) this.cutLater(node);
  }

  nodes(from: PeerInfo, frame: NodesFrame): void {
    const host = this.host;
    const t = this.tableValue;
    if (host === null || t === null || host.hidden || from.hidden || !this.free || t.inSomeGroup(from.name)) return;
    const up = new Set(host.peers().map((p) => p.name));
    for (const n of frame.nodes) {
      if (n.name === host.name || up.has(n.name) || t.inSomeGroup(n.name)) continue;
      host.learnAddress?.(n.name, n.address);
      this.gossiped.add(n.name);
      this.redial.dial(n.name, n.address);
    }
  }

  /** Gossiped free nodes this node is waiting to re-dial (for node.info() and tests). */
  pendingRedials(): string[] {
    return this.redial.pending();
  }

  /** Is the maintenance round armed (a member of own groups not connected, or an event to act on)? For tests. */
  get maintaining(): boolean {
    return this.timer !== null;
  }

  stop(): void {
    this.redial.clear();
    this.host = null;
    this.disarmMaintenance();
  }

  /**
   * Let this policy manage connections made for other reasons (the seeds a node started with):
   * once no group justifies them (this node is in a group they are not), they are closed.
   */
  manage(nodes: readonly string[]): void {
    for (const n of nodes) this.dialed.add(n);
    if (nodes.length > 0) this.armMaintenance();
  }

  /**
   * Dial the members of own groups that are not connected; close group connections nothing
   * justifies. Runs every `meshIntervalMs` while a member is not connected, and once after any
   * event that may call for it (start, a change of own groups, a group connection up or down, a
   * failed dial, managed seeds); a node whose group connections are all up runs no timer, so an
   * idle cluster's upkeep does not grow with its size (and neither does the simulator's).
   */
  maintain(): void {
    const host = this.host;
    const t = this.tableValue;
    if (host === null || t === null) return;
    const up = new Set(host.peers().map((p) => p.name));
    const wanted = new Set<string>();
    let missing = false;
    for (const d of t.own()) {
      for (const m of d.members) {
        if (m === t.self) continue;
        wanted.add(m);
        this.dialed.add(m);
        if (up.has(m)) continue;
        missing = true;
        host.connect(m, this.addressBook.get(m) ?? d.addresses[m]);
      }
    }
    for (const n of [...this.dialed]) {
      if (wanted.has(n) || !up.has(n)) continue; // one that is still dialling is cut once it is up (nodeUp)
      this.dialed.delete(n);
      this.cutLater(n);
    }
    if (missing) this.armMaintenance();
    else this.disarmMaintenance();
  }

  private armMaintenance(): void {
    if (this.timer !== null || this.host === null) return;
    this.timer = setInterval(() => this.maintain(), this.meshIntervalMs);
    this.timer.unref();
  }

  private disarmMaintenance(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Disconnect from `node` unless a shared group (or both being free) justifies the connection,
   * a moment from now: the frames already queued to it (the COMMIT that removed it) leave first.
   */
  private cutLater(node: string): void {
    const timer = setTimeout(() => {
      const host = this.host;
      const t = this.tableValue;
      if (host === null || t === null) return;
      if (this.pins.has(node)) {
        this.deferredCuts.add(node);
        return;
      }
      const justified = t.share(t.self, node) || (!t.inSomeGroup(t.self) && !t.inSomeGroup(node));
      if (!justified && host.peers().some((p) => p.name === node)) host.disconnect(node);
    }, this.cutDelayMs);
    timer.unref();
  }

  /**
   * Keep the connections to `nodes` while a change of a group is in progress (proposed here, or
   * promised to a proposer): a cut that a previous change made due (a node removed a moment ago
   * and being added again) would otherwise close the connection the vote or the COMMIT needs.
   * Returns the release; a cut deferred meanwhile is checked again then.
   */
  pin(nodes: Iterable<string>): () => void {
    const pinned = [...new Set(nodes)];
    for (const n of pinned) this.pins.set(n, (this.pins.get(n) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const n of pinned) {
        const left = (this.pins.get(n) ?? 1) - 1;
        if (left > 0) {
          this.pins.set(n, left);
          continue;
        }
        this.pins.delete(n);
        if (this.deferredCuts.delete(n)) this.cutLater(n);
      }
    };
  }

  /**
   * Addresses a peer told (INFO): kept, told to the node's transport (a process that sends to,
   * links or monitors a pid there before a connection is up, or after it dropped, is not dropped
   * for want of an address), and the members of own groups that are not connected and whose
   * address was not known (or changed) are dialled at once, not at the next maintenance round (up
   * to `meshIntervalMs` later): a group meshes as fast as the free nodes' NODES gossip.
   */
  learn(addresses: Readonly<Record<string, string>>): void {
    const host = this.host;
    const t = this.tableValue;
    const fresh: Array<[string, string]> = [];
    for (const [n, address] of Object.entries(addresses)) {
      if (n === t?.self || typeof address !== 'string' || this.addressBook.get(n) === address) continue;
      this.addressBook.set(n, address);
      fresh.push([n, address]);
    }
    if (host === null || t === null || fresh.length === 0) return;
    for (const [n, address] of fresh) host.learnAddress?.(n, address);
    const members = new Set(t.ownNodes());
    const up = new Set(host.peers().map((p) => p.name));
    for (const [n, address] of fresh) {
      if (!members.has(n) || up.has(n)) continue;
      this.dialed.add(n);
      host.connect(n, address);
    }
  }

  /** Addresses of the connected peers (and this node's own), for the definitions this node proposes. */
  addresses(ownAddress: string | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [n, a] of this.addressBook) out[n] = a;
    for (const p of this.host?.peers() ?? []) out[p.name] = p.address;
    if (ownAddress !== undefined && this.tableValue !== null) out[this.tableValue.self] = ownAddress;
    return out;
  }

  /**
   * Where each of `nodes` listens, as far as this node knows (itself, a connected peer, or what a
   * peer told): the addresses an INFO carries (docs/protocols/sgroups.md, "Meeting").
   */
  addressesOf(nodes: Iterable<string>, ownAddress: string | undefined): Record<string, string> {
    const peers = new Map((this.host?.peers() ?? []).map((p) => [p.name, p.address] as const));
    const self = this.tableValue?.self;
    const out: Record<string, string> = {};
    for (const n of nodes) {
      const a = n === self ? ownAddress : (peers.get(n) ?? this.addressBook.get(n));
      if (a !== undefined) out[n] = a;
    }
    return out;
  }

  /** A free node tells a free peer about the other free visible nodes it is connected to. */
  gossipFree(to: string): void {
    const host = this.host;
    const t = this.tableValue;
    if (host === null || t === null || host.hidden || !this.free || t.inSomeGroup(to)) return;
    const others = host
      .peers()
      .filter((p) => !p.hidden && p.name !== to && !t.inSomeGroup(p.name))
      .map((p) => ({ name: p.name, address: p.address }));
    if (others.length > 0) host.sendNodes(to, others);
  }

  /** After a definition was adopted: connect to the members of own groups, drop what no group justifies. */
  groupsChanged(change: TableChange): void {
    const host = this.host;
    const t = this.tableValue;
    if (host === null || t === null) return;
    const self = t.self;
    // The proposer's word on where the members listen, for a process that sends there before the
    // dial below is up (what a peer's INFO told, in the address book, is newer and already known).
    if (!change.after.deleted) for (const [n, a] of Object.entries(change.after.addresses)) if (n !== self && !this.addressBook.has(n)) host.learnAddress?.(n, a);
    const up = new Set(host.peers().map((p) => p.name));
    const before = change.before !== undefined && !change.before.deleted ? change.before.members : [];
    const after = change.after.deleted ? [] : change.after.members;
    if (before.includes(self) && !after.includes(self)) {
      for (const m of after) if (up.has(m)) this.cutLater(m);
    } else if (after.includes(self)) {
      for (const r of before.filter((m) => !after.includes(m))) if (up.has(r)) this.cutLater(r);
    }
    this.maintain();
    if (this.free) for (const p of host.peers()) if (!p.hidden && !t.inSomeGroup(p.name)) this.gossipFree(p.name);
  }

}
