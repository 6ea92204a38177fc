import type { PeerInfo } from '@sdnode/transport';
import { SdnodeError, type Pid, type Term } from '@sdnode/wire';
import { entryToWire } from './entry.js';
import { NameHolder } from './holder.js';
import type { MembershipSource } from './membership.js';
import { parseOp, REGISTRY_PROTOCOL_VERSION, type ParsedOp } from './ops.js';
import { NameOwner, wireDetail, type Answer } from './owner.js';
import { ProcessGroups } from './process-groups.js';
import { NameRequester } from './requester.js';
import { ScopeCore, type ScopeHost } from './scope-core.js';
import type { ScopeSettings } from './scope-settings.js';
import { ScopeView } from './scope-view.js';
import { syncOnViewChange } from './view-sync.js';

/** A connected peer as the registry knows it. */
export interface PeerLike {
  readonly name: string;
  readonly hidden: boolean;
}

/** The home's registration of one of its pids (shared by local calls and forwarded ones). */
export type HomeRegister = (kind: 'reg' | 'rereg', name: string, pid: Pid, meta: unknown) => Promise<Answer>;

/**
 * One scope's protocol engine on one node: admits members (HELLO), installs views and settles
 * them (VIEW), and routes every other op to the holder, owner, requester or process groups,
 * checking that its sender may send it. docs/protocols/registry.md describes every op.
 */
export class ScopeProtocol {
  readonly core: ScopeCore;
  readonly holder: NameHolder;
  readonly owner: NameOwner;
  readonly requester: NameRequester;
  readonly groups: ProcessGroups;
  /** Peers refused because their scope runs in another mode. */
  readonly refused = new Map<string, string>();
  homeRegister: HomeRegister | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(
    readonly scope: string,
    readonly host: ScopeHost,
    readonly membership: MembershipSource,
    readonly settings: ScopeSettings,
    private readonly connected: () => Iterable<PeerLike>,
  ) {
    const view = new ScopeView(host.node.name, host.node.creation);
    this.core = new ScopeCore(scope, host, settings, view, membership);
    this.owner = new NameOwner(this.core);
    this.holder = new NameHolder(this.core, (name) => this.owner.maybeResolve(name));
    this.requester = new NameRequester(this.core, this.owner, (e, replaces) => this.holder.decided(e, replaces));
    this.groups = new ProcessGroups(this.core);
    this.sweepTimer = setInterval(() => this.core.table.sweepTombstones(), Math.max(1, settings.tombstoneTtl / 2));
    this.sweepTimer.unref();
  }

  get view(): ScopeView {
    return this.core.view;
  }

  /** Say HELLO to every connected peer that may be a member. */
  start(): void {
    for (const peer of this.connected()) this.nodeUp(peer);
  }

  nodeUp(peer: PeerLike): void {
    if (this.stopped || !this.membership.isMember() || !this.membership.includes(peer.name, peer)) return;
    this.sendHello(peer.name, false);
  }

  nodeDown(name: string): void {
    this.refused.delete(name);
    if (!this.stopped && this.view.leave(name)) this.install();
  }

  /** The membership source changed: drop peers it no longer includes, greet the new ones. */
  membershipChanged(): void {
    if (this.stopped) return;
    let left = false;
    const connected = new Map([...this.connected()].map((p) => [p.name, p] as const));
    for (const m of this.view.peers()) {
      const p = connected.get(m);
      if (p === undefined || !this.membership.isMember() || !this.membership.includes(m, p)) left = this.view.leave(m) || left;
    }
    if (left) this.install();
    for (const p of connected.values()) if (!this.view.isMember(p.name)) this.nodeUp(p);
  }

  localDown(pid: Pid): void {
    if (this.stopped) return;
    this.holder.localDown(pid);
    this.groups.localDown(pid);
  }

  stop(error: Error): void {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.requester.requests.rejectAll(error);
  }

  private sendHello(peer: string, ack: boolean): void {
    this.core.send(peer, ['hello', this.settings.mode, ack, REGISTRY_PROTOCOL_VERSION, this.view.creation]);
  }

  // ---- views ----

  private install(): void {
    const c = this.core;
    const change = this.view.install();
    c.stats.views++;
    this.owner.viewChanged();
    syncOnViewChange(c, change);
    for (const n of change.removed) this.groups.removeNode(n);
    for (const n of change.added) this.groups.syncTo(n);
    this.requester.viewChanged(change.removed);
    c.sendAll(this.view.peers(), ['view', this.view.hash]);
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    if (this.view.stable) {
      this.becameStable();
      return;
    }
    const hash = this.view.hash;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      if (this.stopped || this.view.stable || this.view.hash !== hash) return;
      c.stats.forcedStable++;
      c.host.logger.warn({ scope: this.scope, waitingFor: this.view.waitingFor() }, 'registry view did not settle in time; deciding without the missing members');
      this.view.forceStable();
      this.becameStable();
    }, this.settings.settleTimeout);
    this.settleTimer.unref();
  }

  private becameStable(): void {
    if (this.settleTimer !== null) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    this.owner.stable();
    this.requester.stable();
  }

  // ---- ops ----

  /**
   * The items of a frame: ops, and byte strings holding `[op, ...]` encoded once for several
   * peers (docs/protocols/registry.md, "Frames"); an item that does not decode is dropped and counted.
   */
  handle(from: PeerInfo, items: readonly unknown[]): void {
    for (const item of items) {
      if (!(item instanceof Uint8Array)) {
        this.handleOp(from, item);
        continue;
      }
      const ops = this.host.decodeOps(item);
      if (typeof ops === 'string') {
        this.drop(from, `broadcast item: ${ops}`);
        continue;
      }
      for (const raw of ops) this.handleOp(from, raw);
    }
  }

  private handleOp(from: PeerInfo, raw: unknown): void {
    const op = parseOp(raw, from.name);
    if (typeof op === 'string') {
      this.drop(from, op);
      return;
    }
    try {
      if (!this.dispatch(from, op)) this.drop(from, `${op.op} not allowed from this sender`);
    } catch (e) {
      this.core.stats.dropped++;
      this.host.logger.warn({ err: e, scope: this.scope, peer: from.name, op: op.op }, 'registry op failed');
    }
  }

  private drop(from: PeerInfo, why: string): void {
    this.core.stats.dropped++;
    this.host.logger.warn({ scope: this.scope, peer: from.name, why }, 'registry op dropped');
  }

  /** Returns false when the sender may not send this op. */
  private dispatch(from: PeerInfo, op: ParsedOp): boolean {
    const c = this.core;
    const member = this.view.isMember(from.name);
    switch (op.op) {
      case 'hello':
        return this.hello(from, op.mode, op.version, op.ack, op.creation);
      case 'lookup': {
        const e = c.table.get(op.name) ?? null;
        if (e !== null && c.partitioned) {
          let set = c.cachers.get(op.name);
          if (set === undefined) c.cachers.set(op.name, (set = new Set()));
          set.add(from.name);
        }
        c.send(from.name, ['found', op.req, e === null ? null : entryToWire(e)]);
        return true;
      }
      case 'send': {
        const e = c.table.get(op.name) ?? c.cache.get(op.name);
        if (e !== undefined) c.host.node.send(e.pid, op.msg);
        return true;
      }
      case 'view':
        // A report from a peer that is not (or no longer) a member is stale, not forged: ignore it.
        if (member && this.view.report(from.name, op.hash)) this.becameStable();
        return true;
      default:
        if (!member) return false;
        return this.memberOp(from.name, op);
    }
  }

  private memberOp(from: string, op: ParsedOp): boolean {
    switch (op.op) {
      case 'claim':
        if (op.kind !== 'unreg' && op.pid?.node !== from) return false;
        this.owner.claim(op, (a) => this.reply(from, op.req, a));
        return true;
      case 'claims':
        for (const claim of op.claims) this.memberOp(from, claim);
        return true;
      case 'result':
        this.requester.answer(op.req, { outcome: op.outcome, detail: op.detail as Answer['detail'] });
        return true;
      case 'oks':
        for (const ok of op.oks) this.requester.answerOwn(op.creation, ok);
        return true;
      case 'fwd':
        this.forwarded(from, op.req, op.kind, op.name, op.pid, op.meta);
        return true;
      case 'set':
        this.holder.set(from, op.entry, op.replaces);
        return true;
      case 'sets':
        this.holder.sets(from, op.creation, op.items);
        return true;
      case 'sync':
        this.holder.sync(from, op.entries);
        return true;
      case 'hsync':
        return this.holder.homeSync(from, op.entries);
      case 'verify':
        this.holder.verify(from, op.req, op.pairs);
        return true;
      case 'verified':
        this.holder.gone(from, op.gone);
        if (op.req !== 0) this.owner.checked(op.req, from);
        return true;
      case 'del':
        this.holder.del(op.name, op.id, op.reason);
        return true;
      case 'resolve':
        this.holder.resolve(from, op.name, op.winner, op.losers);
        return true;
      case 'inval':
        this.core.cache.drop(op.name, op.id);
        return true;
      case 'found':
        this.requester.found(op.req, op.entry);
        return true;
      case 'join':
        return this.groups.remoteJoin(from, op.group, op.pids);
      case 'leave':
        return this.groups.remoteLeave(from, op.group, op.pids);
      case 'pgsync':
        return this.groups.remoteSync(from, op.groups);
      default:
        return false;
    }
  }

  /**
   * The owner's answer to a claim from `to`: an `ok` for a pid of `to` as an OKS item (the
   * compact RESULT: `to` knows its own pid's node and creation), anything else as RESULT.
   */
  private reply(to: string, req: number, a: Answer): void {
    const d = a.decided;
    if (a.outcome === 'ok' && d !== undefined && d.entry.pid.node === to) {
      const e = d.entry;
      this.core.send(to, ['oks', e.pid.creation, [[req, e.name, e.pid.id, e.meta, e.id, e.at, d.replaces]]]);
      return;
    }
    this.core.send(to, ['result', req, a.outcome, wireDetail(a)]);
  }

  private hello(from: PeerInfo, mode: string, version: number, ack: boolean, creation: number): boolean {
    // Not a member here (or this node is not one: an s_group node in the global scope): ignore.
    if (!this.membership.isMember() || !this.membership.includes(from.name, from)) return true;
    const differs =
      mode !== this.settings.mode ? `mode ${mode}, ours ${this.settings.mode}` : version !== REGISTRY_PROTOCOL_VERSION ? `protocol version ${version}, ours ${REGISTRY_PROTOCOL_VERSION}` : null;
    if (differs !== null) {
      if (!this.refused.has(from.name)) {
        this.host.logger.error({ scope: this.scope, peer: from.name, differs }, 'registry scope differs: peer not admitted');
      }
      this.refused.set(from.name, differs);
      if (!ack) this.sendHello(from.name, true);
      return true;
    }
    if (!ack) this.sendHello(from.name, true);
    if (!ack && this.view.isMember(from.name)) {
      // Its scope started again without a reconnect: it holds nothing of ours any more.
      this.view.leave(from.name);
      this.install();
    }
    if (this.view.admit(from.name, creation)) this.install();
    return true;
  }

  private forwarded(from: string, req: number, kind: 'reg' | 'rereg' | 'unreg', name: string, pid: Pid, meta: unknown): void {
    const c = this.core;
    if (kind === 'unreg' || !c.isLocal(pid) || this.homeRegister === null) {
      c.send(from, ['result', req, 'noproc', null]);
      return;
    }
    this.homeRegister(kind, name, pid, meta).then(
      (a) => c.send(from, ['result', req, a.outcome, wireDetail(a)]),
      (e: unknown) => {
        const wire = e instanceof SdnodeError ? e.toWire() : { code: 'EREGISTRY', message: String((e as Error)?.message ?? e), details: {} };
        c.send(from, ['result', req, 'error', wire as unknown as Term]);
      },
    );
  }
}
