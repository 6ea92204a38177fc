import type { CoreLogger, Node } from '@sdnode/core';
import type { PeerInfo } from '@sdnode/transport';
import { InvalidArgumentError, RegistryStoppedError, ScopeExistsError, TermCodec, UnknownScopeError, type Pid, type Term } from '@sdnode/wire';
import { isValidName } from './entry.js';
import { FixedMembership, FreeNodesMembership, type MembershipSource } from './membership.js';
import { REGISTRY_CHANNEL } from './ops.js';
import { Outbox } from './outbox.js';
import { PidWatcher } from './pid-watcher.js';
import { Scope, type ScopeInfo } from './scope.js';
import type { ScopeHost } from './scope-core.js';
import { ScopeProtocol, type PeerLike } from './scope-protocol.js';
import { scopeSettings, type ScopeOptions } from './scope-settings.js';

export const GLOBAL_SCOPE = 'global';

export interface RegistryOptions {
  /** The global scope (free visible nodes): its options, or false for none. Default: on, unless the node is hidden. */
  readonly global?: (ScopeOptions & { readonly membership?: MembershipSource }) | false;
  /** More scopes with fixed member lists (this node must be listed). */
  readonly scopes?: Readonly<Record<string, ScopeOptions & { readonly members: readonly string[] }>>;
  readonly logger?: CoreLogger;
}

/** The rpc functions a node with a registry answers (for `sdnode info` and the harness). */
export const RegistryFunctions = {
  /** `() => ScopeInfo[]`. */
  info: 'sdnode.registry.info',
  /** `(scope, limit?) => Record<string, Pid>`: names held in a scope. */
  names: 'sdnode.registry.names',
} as const;

/**
 * The distributed name registry of one node: its scopes, the CONTROL channel they speak on
 * (`sdnode.registry`), and the watcher of local pids that have names or group memberships.
 * One per node: `Registry.start(node)`.
 */
export class Registry {
  private readonly scopesByName = new Map<string, { scope: Scope; protocol: ScopeProtocol; unsubscribe: () => void }>();
  private readonly peers = new Map<string, PeerLike>();
  private readonly outbox: Outbox;
  private readonly watcher: PidWatcher;
  private readonly host: ScopeHost;
  private stopped = false;
  /** CONTROL frames of the registry channel dropped before reaching a scope: malformed, or for a scope not running here. */
  droppedFrames = 0;
  private readonly onUp = (name: string, info: { hidden: boolean }): void => this.nodeUp({ name, hidden: info.hidden });
  private readonly onDown = (name: string): void => this.nodeDown(name);
  private readonly onStopping = (): void => this.stop();

  private constructor(
    readonly node: Node,
    readonly logger: CoreLogger,
  ) {
    // Broadcast ops are encoded once for all their peers, and decoded, with the checks and limits of a frame field.
    const codec = new TermCodec();
    this.outbox = new Outbox(
      (peer, body) => this.peers.has(peer) && node.control.send(peer, REGISTRY_CHANNEL, body),
      (ops) => codec.encode(ops as unknown as Term, 'registry broadcast'),
      node.name,
      node.creation,
    );
    this.watcher = new PidWatcher(node, (pid) => this.localDown(pid));
    this.host = {
      node,
      logger,
      send: (peer, scope, op) => this.outbox.push(peer, scope, op),
      sendAll: (peers, scope, op) => this.outbox.pushAll(peers, scope, op),
      decodeOps(bytes) {
        const r = codec.decode(bytes);
        if (!r.ok) return r.error.message;
        return Array.isArray(r.value) ? r.value : 'not a list of ops';
      },
      watch: (pid) => this.watcher.watch(pid),
    };
  }

  /** Start the registry of `node`: the global scope (unless hidden or disabled) and the scopes given. */
  static start(node: Node, options: RegistryOptions = {}): Registry {
    const r = new Registry(node, options.logger ?? node.logger.child({ component: 'registry' }));
    const visible = new Set(node.nodes({ all: true }));
    for (const name of node.nodes({ hidden: true })) r.peers.set(name, { name, hidden: !visible.has(name) });
    node.control.on(REGISTRY_CHANNEL, (from, body) => r.onControl(from, body));
    node.on('nodeup', r.onUp);
    node.on('nodedown', r.onDown);
    node.on('stopping', r.onStopping);
    node.registerFunction(RegistryFunctions.info, () => r.info());
    node.registerFunction(RegistryFunctions.names, (scope: unknown, limit: unknown = 1000) => r.names(String(scope), typeof limit === 'number' ? limit : 1000));
    if (options.global !== false && !node.hidden) {
      const { membership, ...settings } = options.global ?? {};
      r.addScope(GLOBAL_SCOPE, membership ?? new FreeNodesMembership(node.hidden), settings);
    }
    for (const [name, o] of Object.entries(options.scopes ?? {})) {
      const { members, ...rest } = o;
      r.addScope(name, members, rest);
    }
    return r;
  }

  /** The global scope (of the free visible nodes). */
  get global(): Scope {
    return this.requireScope(GLOBAL_SCOPE);
  }

  scope(name: string): Scope | undefined {
    return this.scopesByName.get(name)?.scope;
  }

  requireScope(name: string): Scope {
    const s = this.scope(name);
    if (s === undefined) throw new UnknownScopeError(name, this.node.name);
    return s;
  }

  scopes(): Scope[] {
    return [...this.scopesByName.values()].map((s) => s.scope);
  }

  /**
   * Start a scope on this node. `membership`: who may be a member (a MembershipSource, such as
   * an s_group's), or a fixed list of node names. Peers become members once their scope of the
   * same name says HELLO.
   */
  addScope(name: string, membership: MembershipSource | readonly string[], options: ScopeOptions = {}): Scope {
    if (this.stopped) throw new RegistryStoppedError(name, this.node.name);
    if (!isValidName(name)) throw new InvalidArgumentError('scope', 'must be a non-empty string of at most 255 characters');
    if (this.scopesByName.has(name)) throw new ScopeExistsError(name, this.node.name);
    const source: MembershipSource = Array.isArray(membership) ? new FixedMembership(this.node.name, membership as readonly string[]) : (membership as MembershipSource);
    const protocol = new ScopeProtocol(name, this.host, source, scopeSettings(options), () => this.peers.values());
    const scope = new Scope(protocol);
    const unsubscribe = source.onChange?.(() => protocol.membershipChanged()) ?? (() => undefined);
    const unregisterService = this.node.registerNameService(scope);
    this.scopesByName.set(name, {
      scope,
      protocol,
      unsubscribe: () => {
        unsubscribe();
        unregisterService();
      },
    });
    protocol.start();
    return scope;
  }

  /** Stop a scope here: its names and groups are forgotten here; the other members see this node leave it. */
  removeScope(name: string): boolean {
    const s = this.scopesByName.get(name);
    if (s === undefined) return false;
    this.scopesByName.delete(name);
    s.unsubscribe();
    s.protocol.stop(new RegistryStoppedError(name, this.node.name));
    return true;
  }

  info(): ScopeInfo[] {
    return this.scopes().map((s) => s.info());
  }

  /** Names held in `scope` (at most `limit`), for inspection. */
  names(scope: string, limit = 1000): Record<string, Pid> {
    const s = this.requireScope(scope);
    const out: Record<string, Pid> = {};
    let n = 0;
    for (const name of s.registeredNames()) {
      if (n++ >= limit) break;
      const pid = s.whereis(name);
      if (pid !== undefined) out[name] = pid;
    }
    return out;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.node.off('nodeup', this.onUp);
    this.node.off('nodedown', this.onDown);
    this.node.off('stopping', this.onStopping);
    for (const name of [...this.scopesByName.keys()]) this.removeScope(name);
    this.watcher.stop();
  }

  // ---- events ----

  private onControl(from: PeerInfo, body: unknown): void {
    if (this.stopped) return;
    if (!Array.isArray(body) || body.length !== 2 || typeof body[0] !== 'string' || !Array.isArray(body[1])) {
      this.droppedFrames++;
      this.logger.warn({ peer: from.name }, 'malformed registry frame dropped');
      return;
    }
    const s = this.scopesByName.get(body[0]);
    if (s === undefined) {
      this.droppedFrames++;
      this.logger.debug({ peer: from.name, scope: body[0] }, 'registry frame for a scope not running here');
      return;
    }
    s.protocol.handle(from, body[1] as unknown[]);
  }

  private nodeUp(peer: PeerLike): void {
    if (this.stopped) return;
    this.peers.set(peer.name, peer);
    for (const s of this.scopesByName.values()) s.protocol.nodeUp(peer);
  }

  private nodeDown(name: string): void {
    this.peers.delete(name);
    this.outbox.forget(name);
    if (this.stopped) return;
    for (const s of this.scopesByName.values()) s.protocol.nodeDown(name);
  }

  private localDown(pid: Pid): void {
    for (const s of this.scopesByName.values()) s.protocol.localDown(pid);
  }
}
