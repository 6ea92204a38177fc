import type { CoreLogger, Node } from '@sdnode/core';
import type { Registry, Scope, ScopeOptions } from '@sdnode/registry';
import type { PeerInfo } from '@sdnode/transport';
import { CannotRemoveSelfError, GroupExistsError, InvalidArgumentError, NotGroupMemberError, UnknownGroupError } from '@sdnode/wire';
import { GroupAgreement, type ChangeOptions, type ChangeResult, type SGroupOp } from './agreement.js';
import { ClusterGroups } from './cluster-groups.js';
import { compareVersions, definitionToWire, isValidGroupName, type GroupDefinition } from './group-definition.js';
import type { Superseded } from './group-table.js';
import { GroupNames } from './group-names.js';
import { forwardPlan, type DefinitionSource } from './forwarding.js';
import { GroupScopeMembership } from './scope-memberships.js';
import type { SGroupPolicy } from './sgroup-policy.js';
import { parseSGroupOp, SGROUPS_CHANNEL } from './sgroup-ops.js';
import { sgroupFunctions } from './sgroup-functions.js';

export interface SGroupsOptions {
  /** The policy the node was started with (`connectionPolicy`). */
  readonly policy: SGroupPolicy;
  /** The node's registry: each own group gets a scope (its name space). */
  readonly registry?: Registry;
  /** Groups from the cluster file: group -> member nodes. */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** The cluster file's groups already read (instead of `groups`): one instance may serve many nodes. */
  readonly cluster?: ClusterGroups;
  /** Known node addresses (the cluster file's), to reach members. */
  readonly addresses?: Readonly<Record<string, string>>;
  /** Options of every group's scope. */
  readonly scope?: ScopeOptions;
  /** Default timeout of membership changes, ms (default 3000). */
  readonly changeTimeout?: number;
}

export type NodeKind = 'sgroup' | 'free' | 'hidden';

/** A node up or down, as s_group node monitoring reports it. */
export interface SGroupNodeEvent {
  readonly sgroups: 'nodeup' | 'nodedown';
  readonly node: string;
}

export interface SGroupsInfo {
  readonly node: string;
  readonly kind: NodeKind;
  readonly ownGroups: ReadonlyArray<{ readonly name: string; readonly members: readonly string[]; readonly version: number; readonly by: string }>;
  /** Groups known here that this node is not in. */
  readonly otherGroups: readonly string[];
  /** Members of own groups that are connected, and those that are not. */
  readonly connected: readonly string[];
  readonly unreachable: readonly string[];
  /** Definitions dropped for a concurrent one (loser reported), and cluster files that disagree. */
  readonly superseded: ReadonlyArray<{ readonly group: string; readonly kept: readonly string[]; readonly dropped: readonly string[]; readonly configMismatch: boolean }>;
  readonly dropped: number;
}

/**
 * s_groups of one node (SD Erlang's s_group module, with agreed changes): membership, its
 * protocol on CONTROL channel `sdnode.sgroups`, the connections the policy makes, and one
 * registry scope per own group. `SGroups.start(node, { policy, registry })`.
 */
export class SGroups {
  readonly names: GroupNames;
  private readonly agreement: GroupAgreement;
  private readonly scopes = new Map<string, Scope>();
  private readonly monitors = new Set<{ all: boolean; cb: (e: SGroupNodeEvent) => void }>();
  private readonly changeListeners = new Set<(group: GroupDefinition) => void>();
  private dropped = 0;
  private readonly changeTimeout: number;
  readonly logger: CoreLogger;

  private constructor(
    readonly node: Node,
    private readonly options: SGroupsOptions,
  ) {
    const policy = options.policy;
    this.logger = node.logger.child({ component: 'sgroups' });
    this.changeTimeout = options.changeTimeout ?? 3000;
    this.agreement = new GroupAgreement({
      table: policy.table,
      proposer: `${node.name}#${node.creation}`,
      send: (peer, op) => this.send(peer, op),
      isConnected: (peer) => node.nodes({ all: true }).includes(peer),
      connect: async (peer, address, timeout) => void (await node.connect(peer, { ...(address !== undefined ? { address } : {}), timeout })),
      adopt: (def, source) => this.adopt(def, source),
      pin: (nodes) => policy.pin(nodes),
      inDoubt: (_group, members) => {
        for (const m of members) this.send(m, this.infoOp(m));
      },
    });
    this.names = new GroupNames(this);
  }

  static start(node: Node, options: SGroupsOptions): SGroups {
    if (!options.policy.started) throw new InvalidArgumentError('policy', 'start the node with this SGroupPolicy as its connectionPolicy first');
    const s = new SGroups(node, options);
    options.policy.listener = { nodeUp: (peer) => s.nodeUp(peer), nodeDown: (peer) => s.nodeDown(peer) };
    node.control.on(SGROUPS_CHANNEL, (from, body) => s.onControl(from, body));
    for (const [fn, impl] of Object.entries(sgroupFunctions(s))) node.registerFunction(fn, impl);
    // The file's groups that list this node are adopted; the others stay in the file (shared, not
    // copied), known here until a newer definition of them arrives.
    const cluster = options.cluster ?? new ClusterGroups(options.groups ?? {}, options.addresses ?? {});
    for (const group of cluster.groupsOf(node.name)) s.adopt(cluster.get(group)!, { via: 'config' });
    s.table.useCluster(cluster);
    s.sync();
    return s;
  }

  get table() {
    return this.options.policy.table;
  }

  get kind(): NodeKind {
    return this.node.hidden ? 'hidden' : this.options.policy.free ? 'free' : 'sgroup';
  }

  /** The registry scope (name space) of an own group. */
  scope(group: string): Scope | undefined {
    return this.scopes.get(group);
  }

  requireMember(group: string): GroupDefinition {
    const d = this.table.get(group);
    if (d === undefined || d.deleted) throw new UnknownGroupError(group, this.node.name);
    if (!d.members.includes(this.node.name)) throw new NotGroupMemberError(group, this.node.name);
    return d;
  }

  // ---- membership (SD Erlang's API, agreed) ----

  /** Create a group of `nodes` (this node among them). Nodes that could not join are reported. */
  newGroup(group: string, nodes: readonly string[], options: ChangeOptions = {}): Promise<ChangeResult> {
    if (!isValidGroupName(group)) return Promise.reject(new InvalidArgumentError('group', 'must be a non-empty string without spaces'));
    const known = this.table.get(group);
    if (known !== undefined && !known.deleted) return Promise.reject(new GroupExistsError(group, known.members));
    if (!nodes.includes(this.node.name)) return Promise.reject(new InvalidArgumentError('nodes', `a new s_group must include the node creating it (${this.node.name})`));
    return this.agreement.change(group, nodes, false, this.changeOptions(options));
  }

  deleteGroup(group: string, options: ChangeOptions = {}): Promise<ChangeResult> {
    try {
      this.requireMember(group);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.agreement.change(group, [], true, this.changeOptions(options));
  }

  addNodes(group: string, nodes: readonly string[], options: ChangeOptions = {}): Promise<ChangeResult> {
    try {
      const d = this.requireMember(group);
      return this.agreement.change(group, [...d.members, ...nodes], false, this.changeOptions(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Remove nodes (not this one) from a group. */
  removeNodes(group: string, nodes: readonly string[], options: ChangeOptions = {}): Promise<ChangeResult> {
    try {
      const d = this.requireMember(group);
      if (nodes.includes(this.node.name)) throw new CannotRemoveSelfError(group, this.node.name);
      return this.agreement.change(group, d.members.filter((m) => !nodes.includes(m)), false, this.changeOptions(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private changeOptions(options: ChangeOptions): ChangeOptions {
    const addresses = { ...(this.options.addresses ?? {}), ...this.options.policy.addresses(this.node.address), ...(options.addresses ?? {}) };
    return { timeout: this.changeTimeout, ...options, addresses };
  }

  ownGroups(): Array<{ name: string; members: readonly string[] }> {
    return this.table.own().map((d) => ({ name: d.name, members: d.members }));
  }

  /** Members of own groups (or of one), this node excluded. */
  ownNodes(group?: string): string[] {
    if (group !== undefined) this.requireMember(group);
    return this.table.ownNodes(group);
  }

  /**
   * Every live group known here (SD Erlang's s_groups()): its own, and those of the peers it met
   * (each meeting INFO carries the sender's groups), as it last heard of them.
   */
  groups(): GroupDefinition[] {
    return this.table.live();
  }

  info(): SGroupsInfo {
    const connected = new Set(this.node.nodes({ all: true }));
    const members = this.table.ownNodes();
    return {
      node: this.node.name,
      kind: this.kind,
      ownGroups: this.table.own().map((d) => ({ name: d.name, members: d.members, version: d.version.n, by: d.version.by })),
      otherGroups: this.table.live().filter((d) => !d.members.includes(this.node.name)).map((d) => d.name),
      connected: members.filter((m) => connected.has(m)),
      unreachable: members.filter((m) => !connected.has(m)),
      superseded: this.table.superseded.map((s: Superseded) => ({ group: s.group, kept: s.kept.members, dropped: s.dropped.members, configMismatch: s.configMismatch })),
      dropped: this.dropped,
    };
  }

  /** nodeup/nodedown of own groups' members (with `all`, of every connection). */
  monitorNodes(cb: (e: SGroupNodeEvent) => void, options: { all?: boolean } = {}): () => void {
    const entry = { all: options.all === true, cb };
    this.monitors.add(entry);
    return () => this.monitors.delete(entry);
  }

  /**
   * Call `listener` after each definition this node adopts (created, changed or deleted, own
   * group or heard of). Returns the function that removes the listener.
   */
  onChange(listener: (group: GroupDefinition) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Where `node` listens, as a peer told this node (undefined when nobody did). */
  addressOf(node: string): string | undefined {
    return this.options.policy.addressBook.get(node);
  }

  /** Connections made for other reasons (seeds): closed once no group justifies them. */
  manageConnections(nodes: readonly string[]): void {
    this.options.policy.manage(nodes);
  }

  /** Meet every connected peer again: a full INFO each (they answer with newer definitions). */
  sync(): void {
    for (const peer of this.node.nodes({ all: true })) this.node.control.send(peer, SGROUPS_CHANNEL, this.infoOp(peer));
  }

  // ---- protocol ----

  private send(peer: string, op: SGroupOp): boolean {
    return this.node.nodes({ all: true }).includes(peer) && this.node.control.send(peer, SGROUPS_CHANNEL, op);
  }

  /**
   * The full INFO to `peer` (docs/protocols/sgroups.md, "Meeting"): the live definitions that list
   * this node or the peer (and `also`, the definition this node just joined or left), and the
   * addresses of their members. Its size depends on the two nodes' groups, not on the cluster.
   */
  private infoOp(peer: string, also?: GroupDefinition): SGroupOp {
    const defs = this.table.concerning(this.node.name, peer);
    if (also !== undefined && !defs.some((d) => d.name === also.name)) defs.push(also);
    const members = new Set<string>();
    for (const d of defs) for (const m of d.members) members.add(m);
    return ['info', defs.map(definitionToWire), this.options.policy.addressesOf(members, this.node.address), true];
  }

  /**
   * Adopt a definition if newer: connections, name spaces and the members that may have missed it
   * follow. `source` says who already holds it (default: as if an unknown peer told this node).
   */
  adopt(def: GroupDefinition, source: DefinitionSource = { via: 'info', from: '' }): void {
    const change = this.table.adopt(def);
    if (change === null) return;
    this.logger.info({ group: def.name, members: def.members, version: def.version, deleted: def.deleted }, 's_group definition adopted');
    // Connections and the scopes' membership sources (a group's own scope, the global scope) depend
    // on this node's groups and on the kinds of this node and its peers: a change of another group
    // that moves none of them concerns neither (most definitions a node learns from its peers).
    const peers = new Set(this.node.nodes({ all: true }));
    if (change.ownChanged || change.kindChanged.some((n) => n === this.node.name || peers.has(n))) {
      this.options.policy.groupsChanged(change);
      this.options.policy.signals.changed(def.name);
    }
    this.syncScope(def.name);
    for (const l of this.changeListeners) {
      try {
        l(def);
      } catch (e) {
        this.logger.error({ err: e, group: def.name }, 's_group change listener threw');
      }
    }
    // Forward it to the group's members that may have missed it, never outside the group; meet
    // every peer again if this node joined or left the group (docs/protocols/sgroups.md, "Adopting
    // a definition"). Each node forwards a definition once, when it adopts it, so this ends.
    const plan = forwardPlan({ self: this.node.name, change, source, peers: this.node.nodes({ all: true }) });
    if (plan.partial.length > 0) {
      const op: SGroupOp = ['info', [definitionToWire(def)], {}, false];
      for (const p of plan.partial) this.node.control.send(p, SGROUPS_CHANNEL, op);
    }
    for (const p of plan.full) this.node.control.send(p, SGROUPS_CHANNEL, this.infoOp(p, def));
  }

  private syncScope(group: string): void {
    const registry = this.options.registry;
    if (registry === undefined) return;
    const member = this.table.isMemberOf(group);
    const scope = this.scopes.get(group);
    if (member && scope === undefined) {
      this.scopes.set(group, registry.addScope(group, new GroupScopeMembership(this.table, group, this.options.policy.signals), this.options.scope ?? {}));
    } else if (!member && scope !== undefined) {
      this.scopes.delete(group);
      registry.removeScope(group);
    }
  }

  private onControl(from: PeerInfo, body: unknown): void {
    const op = parseSGroupOp(body);
    if (typeof op === 'string') {
      this.dropped++;
      this.logger.warn({ peer: from.name, why: op }, 's_group op dropped');
      return;
    }
    switch (op.op) {
      case 'info': {
        this.options.policy.learn(op.addresses);
        // What this node held, before adopting, of the groups the answer may carry: those the INFO
        // carries and those that list the sender (not every group known here: INFO costs O(groups
        // of the two nodes), not O(groups of the cluster file)).
        const mine = new Map<string, GroupDefinition>();
        for (const g of [...op.defs.map((d) => d.name), ...this.table.listing(from.name).map((d) => d.name)]) {
          const d = this.table.get(g);
          if (d !== undefined) mine.set(g, d);
        }
        for (const d of op.defs) this.adopt(d, { via: 'info', from: from.name });
        // Tell the sender what it has older, of groups that concern it; and, when it sent a full INFO
        // (every group it is in, or knows this node in), what it is missing. A partial INFO (gossip
        // of one definition, or such an answer) says nothing about the groups it leaves out:
        // answering those would make two nodes answer each other's answers forever.
        this.answerInfo(from.name, op.defs, op.addresses, op.full, mine);
        if (op.full) this.options.policy.met(from.name);
        return;
      }
      case 'propose':
        this.agreement.propose(from.name, op.tx, op.def, op.base);
        return;
      case 'vote':
        this.agreement.vote(from.name, op.tx, op.yes, op.current);
        return;
      case 'commit':
        this.agreement.commit(from.name, op.tx, op.def, op.missed);
        return;
      case 'abort':
        this.agreement.abort(op.tx);
    }
  }

  /**
   * Answer an INFO from `from` (docs/protocols/sgroups.md, "Meeting"): with the definitions held
   * here, as they were before it arrived (`mine`), that are newer than the sender's and concern it
   * (list it, or its version lists it or this node: it takes this node for a member), or, when it
   * sent a full INFO, that list it and are missing from it (it holds no version listing either of
   * the two, or none at all); and, to a full INFO, with the addresses of its groups' members that
   * it did not know and that this node's own meeting INFO did not carry (the group was new here).
   */
  private answerInfo(from: string, defs: readonly GroupDefinition[], addresses: Readonly<Record<string, string>>, full: boolean, mine: ReadonlyMap<string, GroupDefinition>): void {
    const self = this.node.name;
    const theirs = new Map(defs.map((d) => [d.name, d] as const));
    const candidates = full ? mine.values() : [...theirs.keys()].flatMap((g) => (mine.has(g) ? [mine.get(g)!] : []));
    const newer: GroupDefinition[] = [];
    for (const d of candidates) {
      if (this.table.get(d.name) !== d) continue;
      const t = theirs.get(d.name);
      const concerns = d.members.includes(from) || (t !== undefined && (t.members.includes(from) || t.members.includes(self)));
      if (concerns && (t === undefined || compareVersions(t.version, d.version) < 0)) newer.push(d);
    }
    const learnt: Record<string, string> = {};
    if (full) {
      const wanted = new Set<string>();
      for (const d of defs) {
        const known = mine.get(d.name);
        if (d.deleted || !d.members.includes(from) || (known !== undefined && !known.deleted && (known.members.includes(from) || known.members.includes(self)))) continue;
        for (const m of d.members) if (m !== from && m !== self && addresses[m] === undefined) wanted.add(m);
      }
      Object.assign(learnt, this.options.policy.addressesOf(wanted, this.node.address));
    }
    if (newer.length > 0 || Object.keys(learnt).length > 0) this.send(from, ['info', newer.map(definitionToWire), learnt, false]);
  }

  private nodeUp(peer: PeerInfo): void {
    if (!peer.hidden) this.send(peer.name, this.infoOp(peer.name));
    this.notify('nodeup', peer.name);
  }

  private nodeDown(peer: PeerInfo): void {
    this.agreement.peerDown(peer.name);
    this.notify('nodedown', peer.name);
  }

  private notify(event: 'nodeup' | 'nodedown', node: string): void {
    if (this.monitors.size === 0) return;
    const own = this.table.ownNodes().includes(node);
    for (const m of this.monitors) {
      if (!m.all && !own) continue;
      try {
        m.cb({ sgroups: event, node });
      } catch (e) {
        this.logger.error({ err: e }, 's_group monitor threw');
      }
    }
  }
}
