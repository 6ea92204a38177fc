import { InvalidArgumentError } from '@sdnode/wire';

/**
 * Restart intensity (Erlang's MaxR in MaxT): a supervisor may restart at most `intensity`
 * children within any `period` ms; one restart more and it gives up (stops all its children and
 * exits `shutdown`, letting its own supervisor decide). Pure: time is given by the caller.
 */
export class RestartIntensity {
  /** Restart times; those before `head` are out of the window (dropped in batches, amortised O(1)). */
  private restarts: number[] = [];
  private head = 0;

  constructor(
    readonly intensity: number,
    readonly period: number,
  ) {
    if (!Number.isInteger(intensity) || intensity < 0) throw new InvalidArgumentError('intensity', `${intensity} must be an integer >= 0`);
    if (!(period > 0)) throw new InvalidArgumentError('period', `${period} must be > 0 ms`);
  }

  /**
   * Record a restart at time `now` (ms, non-decreasing). Returns false when this restart exceeds
   * the intensity: more than `intensity` restarts within the last `period` ms.
   */
  record(now: number): boolean {
    const since = now - this.period;
    const r = this.restarts;
    while (this.head < r.length && r[this.head]! <= since) this.head++;
    if (this.head > 1024 && this.head * 2 > r.length) {
      r.splice(0, this.head);
      this.head = 0;
    }
    r.push(now);
    return this.recent <= this.intensity;
  }

  /** Restarts counted in the current period window (as of the last record). */
  get recent(): number {
    return this.restarts.length - this.head;
  }
}
