import { setMaxListeners } from 'node:events';
import type { ObserveSummary } from '@sdnode/harness';
import { errorText, type ClusterSource } from './cluster-source.js';
import { buildSnapshot, knownGroups, sameContent, type ClusterSnapshot, type NodeEntry } from './snapshot.js';

export interface GathererOptions {
  /** How often the nodes are polled and a snapshot is built (ms; the page gets at most one update per interval). */
  readonly interval: number;
  /** How long one node may take to answer (ms); a node still polled is not asked again meanwhile. */
  readonly timeout: number;
  /** A node down this long (ms), and in no s_group, is left out of the picture. */
  readonly forgetAfter: number;
  /** How many nodes are asked at once. */
  readonly concurrency: number;
  /** The clock (ms since the epoch); tests give their own. */
  readonly now?: () => number;
}

export const DEFAULT_GATHERER_OPTIONS: GathererOptions = { interval: 1000, timeout: 2000, forgetAfter: 30_000, concurrency: 64 };

/** A listener of snapshots: called with each snapshot that differs from the previous one. */
export type SnapshotListener = (snapshot: ClusterSnapshot) => void;

interface MutableEntry {
  name: string;
  status: NodeEntry['status'];
  since: number;
  summary: ObserveSummary | null;
  error: string | null;
  address: string | null;
  /** A poll is in flight. */
  polling: boolean;
  /** The node has answered at least once. */
  answered: boolean;
}

/**
 * Gathers the cluster's state: starting from the seed nodes, it asks every node it knows for its
 * summary (concurrently, each with its own timeout, never twice at once), learns of more nodes
 * from what they say (their connections, the members of their s_groups, the addresses they
 * know), and after each round builds a snapshot. A node that does not answer is `unreachable`
 * (someone is still connected to it) or `down`; nothing a node does or fails to do can stop the
 * gatherer. Each listener gets the snapshots that differ from the one before.
 */
export class Gatherer {
  private readonly entries = new Map<string, MutableEntry>();
  private readonly listeners = new Set<SnapshotListener>();
  private readonly options: GathererOptions;
  private readonly now: () => number;
  private current: ClusterSnapshot;
  private running: AbortController | null = null;
  private loop: Promise<void> | null = null;
  /** The nodes the observer was pointed at: never forgotten. */
  private readonly seeds: ReadonlySet<string>;

  constructor(
    private readonly source: ClusterSource,
    seeds: Readonly<Record<string, string | null>>,
    options: Partial<GathererOptions> = {},
  ) {
    this.options = { ...DEFAULT_GATHERER_OPTIONS, ...options };
    this.now = this.options.now ?? Date.now;
    this.seeds = new Set(Object.keys(seeds));
    for (const [name, address] of Object.entries(seeds)) this.learn(name, address);
    this.current = buildSnapshot(source.self, [], 0, this.now());
  }

  /** The latest snapshot. */
  get snapshot(): ClusterSnapshot {
    return this.current;
  }

  /** Listen to the snapshots that differ from the previous one; returns the function that stops listening. */
  onSnapshot(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Poll every `interval` until stop() (or `signal`). */
  start(signal?: AbortSignal): void {
    if (this.running !== null) return;
    const controller = new AbortController();
    this.running = controller;
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    this.loop = this.run(controller.signal);
  }

  async stop(): Promise<void> {
    this.running?.abort();
    this.running = null;
    await this.loop;
    this.loop = null;
  }

  /**
   * One round: ask every known node not already being asked, wait for the answers (each within
   * the timeout, or the round's own deadline), then build the snapshot. The polling loop runs it
   * every interval; tests call it directly.
   */
  async round(signal?: AbortSignal): Promise<ClusterSnapshot> {
    const due = [...this.entries.values()].filter((e) => !e.polling);
    const deadline = AbortSignal.timeout(this.options.timeout + 100);
    const any = signal !== undefined ? AbortSignal.any([signal, deadline]) : deadline;
    // Every request of the round listens to this one signal: hundreds of nodes, hundreds of listeners.
    setMaxListeners(due.length + 10, any);
    await this.pool(due, (e) => this.poll(e, any));
    return this.publish();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = this.now();
      try {
        // A round waits for the answers of at most one interval; slower ones land in a later round.
        await Promise.race([this.round(signal), abortable(this.options.interval, signal)]);
      } catch {
        // Never: poll() and publish() handle their own errors. Keep polling whatever happens.
      }
      const rest = this.options.interval - (this.now() - started);
      if (rest > 0) await abortable(rest, signal);
    }
  }

  private async pool<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) await fn(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, items.length) }, worker));
  }

  private async poll(e: MutableEntry, signal: AbortSignal): Promise<void> {
    e.polling = true;
    try {
      const summary = await this.source.summary(e.name, e.address, { timeout: this.options.timeout, signal });
      if (summary.name !== e.name) throw new Error(`the node asked as ${e.name} answered as ${summary.name}`);
      this.answered(e, summary);
    } catch (error) {
      e.error = errorText(error);
      e.answered = false;
    } finally {
      e.polling = false;
    }
  }

  private answered(e: MutableEntry, summary: ObserveSummary): void {
    e.summary = summary;
    e.error = null;
    e.answered = true;
    if (summary.address !== null) e.address = summary.address;
    // Nodes are found through connections and s_group memberships; the addresses a node knows only
    // say where they listen (an address book also holds nodes long gone: they would come back).
    const c = summary.connections;
    for (const name of [...c.visible, ...c.pointToPoint, ...c.hidden]) this.learn(name, summary.addresses[name] ?? null);
    for (const g of summary.groups) {
      for (const m of g.members) this.learn(m, g.addresses[m] ?? summary.addresses[m] ?? null);
    }
    for (const [name, address] of Object.entries(summary.addresses)) {
      const known = this.entries.get(name);
      if (known !== undefined && known.address === null) known.address = address;
    }
  }

  private learn(name: string, address: string | null): void {
    if (name === this.source.self) return;
    const known = this.entries.get(name);
    if (known === undefined) {
      this.entries.set(name, { name, status: 'down', since: this.now(), summary: null, error: 'not asked yet', address, polling: false, answered: false });
    } else if (known.address === null && address !== null) {
      known.address = address;
    }
  }

  /** Statuses from the answers, forget the nodes long down, build the snapshot and tell the listeners when it changed. */
  private publish(): ClusterSnapshot {
    const now = this.now();
    const up = [...this.entries.values()].filter((e) => e.answered && e.summary !== null);
    const reachedBySomeone = new Set<string>(this.source.connected());
    for (const e of up) {
      const c = e.summary!.connections;
      for (const n of [...c.visible, ...c.pointToPoint, ...c.hidden]) reachedBySomeone.add(n);
    }
    for (const e of this.entries.values()) {
      const status = e.answered ? 'up' : reachedBySomeone.has(e.name) ? 'unreachable' : 'down';
      if (status !== e.status) {
        e.status = status;
        e.since = now;
      }
    }
    const members = new Set(knownGroups(up).flatMap((g) => g.members));
    for (const e of [...this.entries.values()]) {
      if (e.status === 'down' && !e.polling && now - e.since >= this.options.forgetAfter && !members.has(e.name) && !this.seeds.has(e.name)) this.entries.delete(e.name);
    }
    const next = buildSnapshot(this.source.self, this.entries.values(), this.current.seq + 1, now);
    if (sameContent(next, this.current)) return this.current;
    this.current = next;
    for (const listener of this.listeners) {
      try {
        listener(next);
      } catch {
        // A listener's failure (a closed response) is its own business.
      }
    }
    return next;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
