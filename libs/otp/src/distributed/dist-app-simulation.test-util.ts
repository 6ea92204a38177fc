import { DistAppMachine } from './dist-app-machine.js';
import type { DistAppMessage, DistAppSpec, Effect, MachineEvent } from './dist-app-types.js';

/**
 * A deterministic model of a cluster of candidate nodes running DistAppMachines, for tests.
 *
 * The network model is the transport's guarantees: a connection between two nodes has an epoch;
 * each side learns of it going up and down on its own (separate queues, so one side may know
 * before the other); messages are sent on the sender's current connection, delivered in order,
 * and dropped when the receiver is no longer in that connection's epoch. Nothing else is
 * promised: every step (delivering one item, firing a timer, completing a start or a stop) is
 * chosen by the test.
 */

type Item =
  | { readonly kind: 'up'; readonly epoch: number }
  | { readonly kind: 'down'; readonly epoch: number }
  | { readonly kind: 'msg'; readonly epoch: number; readonly message: DistAppMessage };

export interface SimNode {
  readonly name: string;
  alive: boolean;
  machine: DistAppMachine;
  /** Per sender: what the network has for this node, in order. */
  readonly inbox: Map<string, Item[]>;
  /** Per peer: the epoch of the connection this node believes is up. */
  readonly epochOf: Map<string, number>;
  timer: number | null;
  pendingStart: 'normal' | 'takeover' | 'failover' | null;
  pendingStop: boolean;
  /** Every start type this incarnation was started with, in order. */
  readonly starts: string[];
}

/** The kinds of step a random schedule is made of. */
export type SimStepKind = 'deliver' | 'complete' | 'start_fail' | 'timer' | 'connect' | 'disconnect' | 'crash' | 'restart' | 'exit' | 'shutdown';

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class SimCluster {
  readonly nodes = new Map<string, SimNode>();
  private readonly links = new Map<string, { epoch: number; connected: boolean }>();
  private epochs = 0;

  constructor(readonly spec: DistAppSpec) {
    for (const name of spec.nodes.flat()) this.nodes.set(name, this.fresh(name));
  }

  private fresh(name: string): SimNode {
    const n: SimNode = { name, alive: true, machine: new DistAppMachine(this.spec, name), inbox: new Map(), epochOf: new Map(), timer: null, pendingStart: null, pendingStop: false, starts: [] };
    this.feed(n, { type: 'init' });
    return n;
  }

  node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (n === undefined) throw new Error(`no node ${name}`);
    return n;
  }

  connected(a: string, b: string): boolean {
    return this.links.get(pairKey(a, b))?.connected === true;
  }

  // ---- network ----

  connect(a: string, b: string): boolean {
    if (a === b || !this.node(a).alive || !this.node(b).alive || this.connected(a, b)) return false;
    const epoch = ++this.epochs;
    this.links.set(pairKey(a, b), { epoch, connected: true });
    this.push(a, b, { kind: 'up', epoch });
    this.push(b, a, { kind: 'up', epoch });
    return true;
  }

  disconnect(a: string, b: string): boolean {
    const link = this.links.get(pairKey(a, b));
    if (link === undefined || !link.connected) return false;
    link.connected = false;
    if (this.node(a).alive) this.push(a, b, { kind: 'down', epoch: link.epoch });
    if (this.node(b).alive) this.push(b, a, { kind: 'down', epoch: link.epoch });
    return true;
  }

  private push(to: string, from: string, item: Item): void {
    const inbox = this.node(to).inbox;
    const q = inbox.get(from) ?? [];
    q.push(item);
    inbox.set(from, q);
  }

  /** Deliver the oldest item from `from` to `to`. */
  deliver(to: string, from: string): boolean {
    const n = this.node(to);
    const item = n.inbox.get(from)?.shift();
    if (!n.alive || item === undefined) return false;
    if (item.kind === 'up') {
      n.epochOf.set(from, item.epoch);
      this.feed(n, { type: 'nodeup', peer: from });
    } else if (item.kind === 'down') {
      if (n.epochOf.get(from) !== item.epoch) return true;
      n.epochOf.delete(from);
      this.feed(n, { type: 'nodedown', peer: from });
    } else {
      if (n.epochOf.get(from) !== item.epoch) return true; // from an old connection: dropped
      const m = item.message;
      this.feed(n, m.kind === 'status' ? { type: 'status', from, instance: m.instance, eligible: m.eligible, hello: m.hello } : { type: 'takeover', from });
    }
    return true;
  }

  // ---- node events ----

  feed(n: SimNode, event: MachineEvent): void {
    for (const effect of n.machine.handle(event)) this.apply(n, effect);
  }

  private apply(n: SimNode, effect: Effect): void {
    switch (effect.type) {
      case 'send': {
        const link = this.links.get(pairKey(n.name, effect.to));
        if (link?.connected === true && n.epochOf.get(effect.to) === link.epoch) this.push(effect.to, n.name, { kind: 'msg', epoch: link.epoch, message: effect.message });
        return;
      }
      case 'start':
        n.pendingStart = effect.startType.kind;
        n.starts.push(effect.startType.kind === 'normal' ? 'normal' : `${effect.startType.kind}:${effect.startType.node}`);
        return;
      case 'stop':
        n.pendingStop = true;
        return;
      case 'arm_timer':
        n.timer = effect.timer;
        return;
      case 'cancel_timer':
        if (n.timer === effect.timer) n.timer = null;
        return;
    }
  }

  fireTimer(name: string): boolean {
    const n = this.node(name);
    if (!n.alive || n.timer === null) return false;
    const timer = n.timer;
    n.timer = null;
    this.feed(n, { type: 'timeout', timer });
    return true;
  }

  completeStart(name: string, ok = true): boolean {
    const n = this.node(name);
    if (!n.alive || n.pendingStart === null) return false;
    n.pendingStart = null;
    this.feed(n, { type: ok ? 'started' : 'start_failed' });
    return true;
  }

  completeStop(name: string): boolean {
    const n = this.node(name);
    if (!n.alive || !n.pendingStop) return false;
    n.pendingStop = false;
    this.feed(n, { type: 'stopped' });
    return true;
  }

  /** The running instance exits by itself. */
  exit(name: string): boolean {
    const n = this.node(name);
    if (!n.alive || n.machine.currentPhase !== 'running' || n.pendingStop) return false;
    this.feed(n, { type: 'exited' });
    return true;
  }

  shutdown(name: string): boolean {
    const n = this.node(name);
    if (!n.alive) return false;
    this.feed(n, { type: 'shutdown' });
    return true;
  }

  /** The node dies at once (SIGKILL): its connections go down on the other sides. */
  crash(name: string): boolean {
    const n = this.node(name);
    if (!n.alive) return false;
    for (const peer of this.nodes.keys()) this.disconnect(name, peer);
    n.alive = false;
    return true;
  }

  /** A new incarnation of a crashed node, connected to nobody. */
  restart(name: string): boolean {
    if (this.node(name).alive) return false;
    this.nodes.set(name, this.fresh(name));
    return true;
  }

  // ---- observations ----

  /** Alive nodes that hold an instance. */
  holders(): string[] {
    return [...this.nodes.values()].filter((n) => n.alive && n.machine.hasInstance).map((n) => n.name);
  }

  /** Pairs of alive nodes that both hold an instance while each counts the other as synced. */
  violations(): string[] {
    const out: string[] = [];
    const hs = this.holders();
    for (const a of hs) {
      for (const b of hs) {
        if (a < b && this.node(a).machine.isSynced(b) && this.node(b).machine.isSynced(a)) out.push(`${a} and ${b}`);
      }
    }
    return out;
  }

  /** Run every pending step (deliveries first, then starts and stops, then timers) until none is left. */
  settle(maxSteps = 100_000): void {
    for (let i = 0; i < maxSteps; i++) {
      if (!this.stepAny()) return;
      const v = this.violations();
      if (v.length > 0) throw new Error(`two instances between synced nodes: ${v.join('; ')}`);
    }
    throw new Error(`the cluster did not settle within ${maxSteps} steps`);
  }

  private stepAny(): boolean {
    for (const n of this.nodes.values()) {
      if (!n.alive) continue;
      for (const from of n.inbox.keys()) if (this.deliver(n.name, from)) return true;
    }
    for (const n of this.nodes.values()) if (this.completeStart(n.name) || this.completeStop(n.name)) return true;
    for (const n of this.nodes.values()) if (this.fireTimer(n.name)) return true;
    return false;
  }

  /**
   * The steps of one kind that would do something now, each as a closure: a random schedule picks
   * among these, so that every step it takes changes something.
   */
  enabled(kind: SimStepKind): (() => void)[] {
    const nodes = [...this.nodes.values()];
    const alive = nodes.filter((n) => n.alive);
    const pairs = alive.flatMap((a) => alive.filter((b) => a.name < b.name).map((b) => [a.name, b.name] as const));
    switch (kind) {
      case 'deliver':
        return alive.flatMap((n) => [...n.inbox].filter(([, q]) => q.length > 0).map(([from]) => () => void this.deliver(n.name, from)));
      case 'complete':
        return alive.flatMap((n) => [
          ...(n.pendingStart !== null ? [() => void this.completeStart(n.name, true)] : []),
          ...(n.pendingStop ? [() => void this.completeStop(n.name)] : []),
        ]);
      case 'start_fail':
        return alive.filter((n) => n.pendingStart !== null).map((n) => () => void this.completeStart(n.name, false));
      case 'timer':
        return alive.filter((n) => n.timer !== null).map((n) => () => void this.fireTimer(n.name));
      case 'connect':
        return pairs.filter(([a, b]) => !this.connected(a, b)).map(([a, b]) => () => void this.connect(a, b));
      case 'disconnect':
        return pairs.filter(([a, b]) => this.connected(a, b)).map(([a, b]) => () => void this.disconnect(a, b));
      case 'crash':
        return alive.map((n) => () => void this.crash(n.name));
      case 'restart':
        return nodes.filter((n) => !n.alive).map((n) => () => void this.restart(n.name));
      case 'exit':
        return alive.filter((n) => n.machine.currentPhase === 'running' && !n.pendingStop).map((n) => () => void this.exit(n.name));
      case 'shutdown':
        return alive.filter((n) => n.machine.snapshot().eligible).map((n) => () => void this.shutdown(n.name));
    }
  }

  /** Connect every pair of alive nodes. */
  meshAll(): void {
    const names = [...this.nodes.keys()];
    for (const a of names) for (const b of names) if (a < b) this.connect(a, b);
  }
}
