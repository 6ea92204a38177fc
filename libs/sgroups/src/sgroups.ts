import type { CoreLogger, Node } from '@sdnode/core';
import type { Registry, Scope, ScopeOptions } from '@sdnode/registry';
import type { PeerInfo } from '@sdnode/transport';
import { CannotRemoveSelfError, GroupExistsError, InvalidArgumentError, NotGroupMemberError, UnknownGroupError } from '@sdnode/wire';
import { GroupAgreement, type ChangeOptions, type ChangeResult, type SGroupOp } from './agreement.js';
import { configDefinition, definitionToWire, isValidGroupName, type GroupDefinition } from './group-definition.js';
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
        const op = this.infoOp();
        for (const m of members) this.send(m, op);
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
    for (const [group, members] of Object.entries(options.groups ?? {})) s.adopt(configDefinition(group, members, options.addresses ?? {}), { via: 'config' });
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

  /** Every live group known here (own and heard of). */
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

  /** Send this node's definitions to every connected peer again (they answer with newer ones). */
  sync(): void {
    this.broadcast(this.infoOp());
  }

  // ---- protocol ----

  private send(peer: string, op: SGroupOp): boolean {
    return this.node.nodes({ all: true }).includes(peer) && this.node.control.send(peer, SGROUPS_CHANNEL, op);
  }

  /** One op to every connected peer (the peer list read once). */
  private broadcast(op: SGroupOp): void {
    for (const peer of this.node.nodes({ all: true })) this.node.control.send(peer, SGROUPS_CHANNEL, op);
  }

  /** INFO with every definition known here and the addresses this node knows. */
  private infoOp(): SGroupOp {
    return ['info', this.table.all().map(definitionToWire), this.options.policy.addresses(this.node.address), true];
  }

  private sendInfo(peer: string): void {
    this.send(peer, this.infoOp());
  }

  /**
   * Adopt a definition if newer: connections, name spaces and the members that may have missed it
   * follow. `source` says who already holds it (default: as if an unknown peer told this node).
   */
  adopt(def: GroupDefinition, source: DefinitionSource = { via: 'info', from: '' }): void {
    const change = this.table.adopt(def);
    if (change === null) return;
    this.logger.info({ group: def.name, members: def.members, version: def.version, deleted: def.deleted }, 's_group definition adopted');
    this.options.policy.groupsChanged(change);
    this.syncScope(def.name);
    this.options.policy.signals.changed(def.name);
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
    if (plan.full.length > 0) {
      const op = this.infoOp();
      for (const p of plan.full) this.node.control.send(p, SGROUPS_CHANNEL, op);
    }
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
        const mine = new Map(this.table.all().map((d) => [d.name, d] as const));
        for (const d of op.defs) this.adopt(d, { via: 'info', from: from.name });
        // Tell the sender what it has older, of groups that concern it; and, when it sent everything
        // it knows (a full INFO), what it is missing. A partial INFO (gossip of one definition, or
        // such an answer) says nothing about the groups it leaves out: answering those would make
        // two nodes answer each other's answers forever.
        const theirs = new Map(op.defs.map((d) => [d.name, d] as const));
        const newer = [...mine.values()].filter((d) => {
          const t = theirs.get(d.name);
          const concerns = d.members.includes(from.name) || (t?.members.includes(from.name) ?? false);
          const older = t === undefined ? op.full : t.version.n < d.version.n || (t.version.n === d.version.n && t.version.by < d.version.by);
          return this.table.get(d.name) === d && concerns && older;
        });
        if (newer.length > 0) this.send(from.name, ['info', newer.map(definitionToWire), {}, false]);
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

  private nodeUp(peer: PeerInfo): void {
    if (!peer.hidden) this.sendInfo(peer.name);
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
