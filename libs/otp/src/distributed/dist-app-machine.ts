import { InvalidArgumentError } from '@sdnode/wire';
import type { StartType } from '../application/application-spec.js';
import {
  DIST_APP_PROTOCOL_VERSION,
  INSTANCE_PHASES,
  type DistAppSpec,
  type Effect,
  type MachineEvent,
  type MachineSnapshot,
  type Phase,
  type PeerView,
  type StopWhy,
} from './dist-app-types.js';

interface PeerState {
  /** What the peer last said in this connection; null until its first status. */
  status: { instance: boolean; eligible: boolean } | null;
  deferred: boolean;
}

/** The last node known to hold an instance that no longer does, and how it let go. */
interface LastHolder {
  readonly node: string;
  /** down: its node went away (failover waits); released: it stopped while connected; takeover: released to us. */
  readonly how: 'down' | 'released' | 'takeover';
}

/**
 * One candidate node's side of the distributed application protocol for one application, as a
 * pure state machine: `handle(event)` updates the state and returns the effects for its driver
 * (send a message, start or stop the local instance, arm or cancel the failover timer). No I/O,
 * no clocks: the property test runs many of them over random schedules.
 *
 * The rules (docs/protocols/distributed-applications.md explains them):
 * - A peer is *synced* once its status arrived in the current connection (and is not deferred).
 * - The node starts the application only when: it is idle and eligible; every connected
 *   candidate is synced; no synced peer holds an instance; it is the best eligible node among
 *   itself and its synced peers (priority level, then name); and either every candidate is
 *   synced, or the last holder released the application explicitly, or the failover timer
 *   (failoverTimeout) ran out while these conditions held.
 * - A holder that learns of another holder of better rank stops its instance and defers that peer
 *   (does not count it as synced) until its own instance is gone.
 * - The best node sends `takeover` to a holder of a worse priority level, which stops and says so.
 */
export class DistAppMachine {
  private phase: Phase = 'idle';
  private eligible = true;
  private readonly peers = new Map<string, PeerState>();
  private readonly rank: ReadonlyMap<string, number>;
  private readonly order: readonly string[];
  private timer: { id: number; expired: boolean } | null = null;
  private nextTimer = 0;
  private awaitingTakeover: string | null = null;
  /** A stop asked for while the instance was starting; carried out once it has started. */
  private pendingStop: StopWhy | null = null;
  private lastHolder: LastHolder | null = null;
  /** Peers sent a final status (this node gave the application up) that have not answered yet. */
  private readonly unanswered = new Set<string>();
  private out: Effect[] = [];

  constructor(
    readonly spec: DistAppSpec,
    readonly self: string,
  ) {
    const rank = new Map<string, number>();
    spec.nodes.forEach((level, i) => level.forEach((n) => rank.set(n, i)));
    if (!rank.has(self)) throw new InvalidArgumentError('distributed application', `${self} is not a candidate node of ${spec.name}`);
    this.rank = rank;
    // Within a level the order is by name: every node computes the same order.
    this.order = spec.nodes.flatMap((level) => [...level].sort());
  }

  /** Whether `node` is one of the application's candidate nodes. */
  isCandidate(node: string): boolean {
    return this.rank.has(node);
  }

  /** Whether this node holds an instance (starting, running or stopping). */
  get hasInstance(): boolean {
    return INSTANCE_PHASES.has(this.phase);
  }

  get currentPhase(): Phase {
    return this.phase;
  }

  /**
   * This node gave the application up (it is not eligible), holds no instance, and every
   * connected candidate has answered its final status: they know, and may start it at once.
   * (The node's shutdown waits for this before its connections close.)
   */
  get handedOver(): boolean {
    return !this.eligible && !this.hasInstance && this.unanswered.size === 0;
  }

  /** Whether `peer` is synced: connected, its status received in this connection, not deferred. */
  isSynced(peer: string): boolean {
    const p = this.peers.get(peer);
    return p !== undefined && p.status !== null && !p.deferred;
  }

  handle(event: MachineEvent): Effect[] {
    this.out = [];
    switch (event.type) {
      case 'init':
        break;
      case 'nodeup':
        this.onNodeUp(event.peer);
        break;
      case 'nodedown':
        this.onNodeDown(event.peer);
        break;
      case 'status':
        this.onStatus(event.from, event.instance, event.eligible);
        if (event.hello && this.peers.has(event.from)) this.sendStatus(event.from, false);
        break;
      case 'takeover':
        this.onTakeover(event.from);
        break;
      case 'timeout':
        if (this.timer !== null && this.timer.id === event.timer) this.timer.expired = true;
        break;
      case 'started':
        this.onStarted();
        break;
      case 'start_failed':
      case 'exited':
        if (this.phase === 'starting' || this.phase === 'running') this.retire();
        break;
      case 'stopped':
        this.onStopped();
        break;
      case 'shutdown':
        this.onShutdown();
        break;
    }
    this.evaluate();
    return this.out;
  }

  // ---- events ----

  private onNodeUp(peer: string): void {
    if (!this.isCandidate(peer) || peer === this.self) return;
    // A new connection: whatever the peer said before belongs to the old one.
    this.forget(peer);
    this.peers.set(peer, { status: null, deferred: false });
    this.sendStatus(peer, true);
  }

  private onNodeDown(peer: string): void {
    if (this.peers.has(peer)) this.forget(peer);
  }

  private forget(peer: string): void {
    const p = this.peers.get(peer);
    if (p === undefined) return;
    this.peers.delete(peer);
    this.unanswered.delete(peer);
    if (p.status?.instance === true) this.lastHolder = { node: peer, how: 'down' };
    if (this.awaitingTakeover === peer) this.awaitingTakeover = null;
  }

  private onStatus(from: string, instance: boolean, eligible: boolean): void {
    const p = this.peers.get(from);
    if (p === undefined) return; // not connected (a stale message): ignored
    this.unanswered.delete(from);
    const before = p.status;
    p.status = { instance, eligible };
    if (before?.instance === true && !instance) {
      this.lastHolder = { node: from, how: this.awaitingTakeover === from ? 'takeover' : 'released' };
      if (this.awaitingTakeover === from) this.awaitingTakeover = null;
    }
    if (!instance) {
      p.deferred = false;
      return;
    }
    if (this.hasInstance && this.better(from, this.self)) {
      // Two instances: the one of worse rank goes, and does not count the other as synced meanwhile.
      p.deferred = true;
      this.stopInstance('conflict');
    }
  }

  private onTakeover(from: string): void {
    if (!this.isSynced(from) || this.level(from) >= this.level(this.self)) return; // stale or not entitled
    if (this.phase === 'running' || this.phase === 'starting') this.stopInstance('takeover');
  }

  private onStarted(): void {
    if (this.phase !== 'starting') return;
    this.phase = 'running';
    const why = this.pendingStop;
    this.pendingStop = null;
    if (why !== null) this.stopInstance(why);
  }

  private onStopped(): void {
    if (this.phase !== 'stopping') return;
    this.phase = this.eligible ? 'idle' : 'retired';
    for (const p of this.peers.values()) p.deferred = false;
    this.broadcastStatus();
  }

  private onShutdown(): void {
    if (!this.eligible) return;
    this.eligible = false;
    if (this.phase === 'idle') this.phase = 'retired';
    else if (this.phase === 'starting' || this.phase === 'running') this.stopInstance('shutdown');
    this.broadcastStatus();
  }

  // ---- actions ----

  private stopInstance(why: StopWhy): void {
    if (this.phase === 'starting') {
      if (this.pendingStop === null || why === 'shutdown') this.pendingStop = why;
      return;
    }
    if (this.phase !== 'running') return;
    this.phase = 'stopping';
    this.out.push({ type: 'stop', why });
  }

  /** The instance is gone by itself, or never came up: give the application up (for this incarnation). */
  private retire(): void {
    this.phase = 'retired';
    this.eligible = false;
    this.pendingStop = null;
    for (const p of this.peers.values()) p.deferred = false;
    this.broadcastStatus();
  }

  private start(): void {
    const last = this.lastHolder;
    const startType: StartType =
      last === null ? { kind: 'normal' } : last.how === 'takeover' ? { kind: 'takeover', node: last.node } : { kind: 'failover', node: last.node };
    this.phase = 'starting';
    this.lastHolder = null;
    this.awaitingTakeover = null;
    this.cancelTimer();
    this.broadcastStatus();
    this.out.push({ type: 'start', startType });
  }

  /** The decision rule, run after every event. */
  private evaluate(): void {
    if (this.phase !== 'idle' || !this.eligible) {
      this.cancelTimer();
      return;
    }
    // A connected candidate whose status has not arrived may hold an instance: wait for it
    // (the timer keeps running; the decision is made when the status arrives).
    for (const p of this.peers.values()) if (p.status === null || p.deferred) return;
    const holders = [...this.peers].filter(([, p]) => p.status!.instance).map(([n]) => n);
    const best = this.bestEligible();
    if (holders.length > 0) {
      this.cancelTimer();
      const holder = holders[0]!;
      if (best === this.self && holders.length === 1 && this.awaitingTakeover === null && this.level(this.self) < this.level(holder)) {
        this.awaitingTakeover = holder;
        this.out.push({ type: 'send', to: holder, message: { v: DIST_APP_PROTOCOL_VERSION, kind: 'takeover', app: this.spec.name } });
      }
      return;
    }
    if (best !== this.self) {
      this.cancelTimer();
      return;
    }
    const complete = this.order.every((n) => n === this.self || this.peers.has(n));
    const released = this.lastHolder !== null && this.lastHolder.how !== 'down';
    if (complete || released || this.spec.failoverTimeout <= 0 || this.timer?.expired === true) {
      this.start();
    } else if (this.timer === null) {
      this.timer = { id: ++this.nextTimer, expired: false };
      this.out.push({ type: 'arm_timer', timer: this.timer.id, ms: this.spec.failoverTimeout });
    }
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.out.push({ type: 'cancel_timer', timer: this.timer.id });
    this.timer = null;
  }

  private sendStatus(to: string, hello: boolean): void {
    const message = { v: DIST_APP_PROTOCOL_VERSION, kind: 'status', app: this.spec.name, instance: this.hasInstance, eligible: this.eligible, hello } as const;
    this.out.push({ type: 'send', to, message });
  }

  /**
   * Tell every connected candidate. A status that gives the application up (not eligible, no
   * instance) is sent as a hello: the answers tell this node that every peer knows.
   */
  private broadcastStatus(): void {
    const final = !this.eligible && !this.hasInstance;
    for (const peer of this.peers.keys()) {
      this.sendStatus(peer, final);
      if (final) this.unanswered.add(peer);
    }
  }

  // ---- ranks ----

  private level(node: string): number {
    return this.rank.get(node) ?? Number.POSITIVE_INFINITY;
  }

  /** Whether `a` ranks before `b`: a better priority level, or the same level and a smaller name. */
  private better(a: string, b: string): boolean {
    const la = this.level(a);
    const lb = this.level(b);
    return la !== lb ? la < lb : a < b;
  }

  /** The best eligible node among this one and its synced peers (null when none is eligible). */
  private bestEligible(): string | null {
    let best: string | null = this.eligible ? this.self : null;
    for (const [n, p] of this.peers) {
      if (p.status === null || p.deferred || !p.status.eligible) continue;
      if (best === null || this.better(n, best)) best = n;
    }
    return best;
  }

  snapshot(): MachineSnapshot {
    const peers: Record<string, PeerView | null> = {};
    const holders = this.hasInstance ? [this.self] : [];
    for (const [n, p] of this.peers) {
      peers[n] = p.status === null ? null : { ...p.status, deferred: p.deferred };
      if (p.status?.instance === true) holders.push(n);
    }
    return {
      app: this.spec.name,
      node: this.self,
      phase: this.phase,
      eligible: this.eligible,
      peers,
      holders,
      timerArmed: this.timer !== null,
      awaitingTakeoverFrom: this.awaitingTakeover,
      handedOver: this.handedOver,
    };
  }
}
