import { LinkModel, type LinkModelOptions } from './link-model.js';
import { SimConnection, type ConnectionEnd, type NetworkContext, type Side } from './sim-connection.js';
import type { VirtualClock } from './virtual-clock.js';

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** How a dial went: a connection to wait on, or why there is none. */
export type DialOutcome =
  | { readonly conn: SimConnection; readonly side: Side }
  | { readonly unknown: true }
  | { readonly blocked: true };

/**
 * The simulated network of SimTransports: who listens under which name, one connection per pair
 * of nodes (two simultaneous dials share it, as the real engine keeps one), a partition of the
 * nodes into two sides, and the activity counters the measurements read. Deliveries are events
 * of the virtual clock, delayed by the link model.
 */
export class SimNetwork implements NetworkContext {
  readonly model: LinkModel;
  handshakeMessages = 0;
  batches = 0;
  inFlight = 0;
  lastActivity: number;
  /** Connections whose handshake completed. */
  connectionsMade = 0;
  private readonly endpoints = new Map<string, ConnectionEnd>();
  private readonly pairs = new Map<string, SimConnection>();
  private isolated: ReadonlySet<string> | null = null;
  /** Dials into the partition, waiting for it to heal (each tried again at its next try after the heal), and when each began. */
  private waiting: Array<{ readonly from: ConnectionEnd; readonly to: string; readonly since: number }> = [];

  constructor(
    readonly clock: VirtualClock,
    model: LinkModelOptions = {},
  ) {
    this.model = new LinkModel(model);
    this.lastActivity = clock.now;
  }

  attach(end: ConnectionEnd): string {
    this.endpoints.set(end.name, end);
    return `sim://${end.name}`;
  }

  detach(end: ConnectionEnd): void {
    if (this.endpoints.get(end.name) === end) this.endpoints.delete(end.name);
  }

  /** Dial `to` from `from`: join the pair's connection if one is up or being set up, else start one. */
  dial(from: ConnectionEnd, to: string): DialOutcome {
    const target = this.endpoints.get(to);
    if (target === undefined) return { unknown: true };
    if (this.blocked(from.name, to)) return { blocked: true };
    const key = pairKey(from.name, to);
    const existing = this.pairs.get(key);
    if (existing !== undefined) {
      const side: Side = existing.ends[0] === from ? 0 : 1;
      if (existing.ends[side] === from && existing.usable(side)) return { conn: existing, side };
      // The old connection is half closed (its notice still travelling): the new one replaces it.
      existing.down(side === 0 ? 1 : 0, { kind: 'peer_closed' });
      existing.down(side, { kind: 'peer_closed' });
    }
    const conn = new SimConnection(this, [from, target]);
    this.pairs.set(key, conn);
    conn.start();
    return { conn, side: 0 };
  }

  /** Connection `conn` came up at both ends (counted once). */
  countUp(): void {
    this.connectionsMade++;
  }

  /** Forget a connection once both its ends are down. */
  release(conn: SimConnection): void {
    const [a, b] = conn.ends;
    const key = pairKey(a.name, b.name);
    if (this.pairs.get(key) === conn && !conn.up[0] && !conn.up[1]) this.pairs.delete(key);
  }

  /** Split the network: the nodes of `side` on one side, every other node on the other. Connections across are cut. */
  partition(side: Iterable<string>): void {
    const isolated = new Set(side);
    this.isolated = isolated;
    for (const conn of [...this.pairs.values()]) {
      if (isolated.has(conn.ends[0].name) !== isolated.has(conn.ends[1].name)) {
        conn.cut();
        this.release(conn);
      }
    }
  }

  /**
   * Remove the partition: dials across succeed again; each dial still waiting goes through at its
   * next try (LinkModel.nextDialTry; nothing else reconnects by itself).
   */
  heal(): void {
    this.isolated = null;
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) this.clock.scheduleAt(this.model.nextDialTry(w.since, this.clock.now), () => w.from.healed(w.to, w.since));
  }

  /** `from` dialled `to` across the partition at `since` and keeps trying until its timeout. */
  waitForHeal(from: ConnectionEnd, to: string, since: number): void {
    this.waiting.push({ from, to, since });
  }

  blocked(a: string, b: string): boolean {
    return this.isolated !== null && this.isolated.has(a) !== this.isolated.has(b);
  }

  /** Connections up at both ends now. */
  connectionCount(): number {
    let n = 0;
    for (const c of this.pairs.values()) if (c.up[0] && c.up[1]) n++;
    return n;
  }
}
