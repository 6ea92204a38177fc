/**
 * How late a tick check may run, in tick intervals, before it counts as delayed by a stall of this
 * node's own event loop. Timers fire late by a few ms under load; a stall that matters (a freeze,
 * a long synchronous task, a long GC pause) delays the check by a good part of an interval.
 */
export const STALL_FACTOR = 1.5;

/** What a tick check may conclude about its peers' silence. */
export type CheckVerdict =
  /** The check ran on time: a peer silent for netTickTime is silent, and goes down. */
  | 'judge'
  /**
   * The check ran late: this node's own event loop stalled since the previous check, so what its
   * peers sent meanwhile may be waiting unread in its sockets. Judging now would blame the peers
   * for our own stall (a thawed node would declare down the peers that kept ticking at it).
   * Nothing goes down; the next check runs after at least one I/O phase has read those sockets.
   */
  | 'stalled';

/**
 * Tells a tick check that ran on time from one delayed by a stall of this node (see CheckVerdict).
 * Two checks in a row are never both 'stalled': under a loop so loaded that every check is late,
 * the second one has seen an I/O phase after the first and judges, so silence is still detected.
 * State per transport; no clock of its own (the caller passes `now`).
 */
export class StallDetector {
  private lastCheck: number;
  private previous: CheckVerdict = 'judge';
  private stalls = 0;

  constructor(
    private readonly interval: number,
    now: number,
  ) {
    this.lastCheck = now;
  }

  /** Record a check running at `now` and say what it may conclude. */
  check(now: number): CheckVerdict {
    const late = now - this.lastCheck > this.interval * STALL_FACTOR;
    this.lastCheck = now;
    const verdict: CheckVerdict = late && this.previous === 'judge' ? 'stalled' : 'judge';
    if (verdict === 'stalled') this.stalls++;
    this.previous = verdict;
    return verdict;
  }

  /** Restart the measure (the ticker was suspended on purpose and resumes now). */
  reset(now: number): void {
    this.lastCheck = now;
    this.previous = 'judge';
  }

  /** How many checks found this node stalled so far. */
  get count(): number {
    return this.stalls;
  }
}
