import type { NodeName } from '@sdnode/wire';
import type { TransportLogger } from '../transport.js';
import type { Connection } from './connection.js';
import type { EngineLimits } from './engine-options.js';
import type { LivenessChannel } from './liveness-channel.js';
import { StallDetector } from './stall-detector.js';

/** What one tick check decided: connections to take down (`tick_timeout`) and idle ones to tick. */
export interface TickReview {
  readonly silent: readonly Connection[];
  readonly idle: readonly Connection[];
}

/**
 * The rules of a tick check (docs/protocols/handshake.md, "Ticks"): an up connection that
 * received nothing for netTickTime is silent and goes down, unless this check runs late because
 * this node itself stalled (StallDetector: nobody is judged until the next check), or the peer's
 * liveness thread vouches that it is only busy (LivenessChannel); one that sent nothing for a tick
 * interval gets a TICK. Decides only; the connection manager acts.
 */
export class TickJudge {
  readonly stalls: StallDetector;
  /** Connections kept up past netTickTime because their peer vouched for itself (logged once each). */
  private readonly busyPeers = new WeakSet<Connection>();

  constructor(
    private readonly limits: EngineLimits,
    private readonly logger: TransportLogger,
    private readonly node: NodeName,
  ) {
    this.stalls = new StallDetector(limits.tickInterval, Date.now());
  }

  review(now: number, up: readonly Connection[], liveness: LivenessChannel | undefined): TickReview {
    const verdict = this.stalls.check(now);
    if (verdict === 'stalled') {
      this.logger.warn({ node: this.node, stalls: this.stalls.count }, 'tick check delayed by a stall of this node: peers are judged at the next check');
    }
    const silent: Connection[] = [];
    const idle: Connection[] = [];
    for (const conn of up) {
      if (verdict === 'judge' && now - conn.lastReceived > this.limits.netTickTime && !this.vouched(liveness, conn, now)) silent.push(conn);
      else if (now - conn.lastSent >= this.limits.tickInterval && conn.queue.length === 0) idle.push(conn);
    }
    return { silent, idle };
  }

  /** A silent peer whose liveness thread said within netTickTime that it is alive, only busy. */
  private vouched(liveness: LivenessChannel | undefined, conn: Connection, now: number): boolean {
    const silentMs = now - conn.lastReceived;
    if (liveness === undefined || !liveness.vouches(conn.peerName, conn.peerCreation, now, silentMs, this.limits.netTickTime)) return false;
    if (!this.busyPeers.has(conn)) {
      this.busyPeers.add(conn);
      this.logger.warn({ ...conn.describe(), silentMs }, 'peer silent past netTickTime but its liveness thread vouches for it: busy, kept up');
    }
    return true;
  }
}
