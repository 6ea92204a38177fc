import type { Destination } from './signals.js';
import type { CoreLogger } from './logger.js';

/** What a timer needs from its owner process. */
export interface TimerOwner {
  timers: Set<TimerRef> | null;
  /** Send as the owner (a message to a missing name is dropped). */
  sendQuietly(to: Destination, msg: unknown): void;
  readonly log: CoreLogger;
}

/**
 * A pending `sendAfter`. Cancelled by `cancelTimer` or when its owner exits. Timers are owned by
 * a process, never module-level, so several nodes can run in one Node.js process.
 */
export class TimerRef {
  /** @internal */ handle: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** @internal */ readonly owner: TimerOwner,
    readonly ms: number,
  ) {}

  get active(): boolean {
    return this.handle !== null;
  }
}

function fire(timer: TimerRef, to: Destination, msg: unknown): void {
  timer.handle = null;
  timer.owner.timers?.delete(timer);
  try {
    timer.owner.sendQuietly(to, msg);
  } catch (e) {
    // A message that cannot be encoded for a remote destination: nobody to throw to.
    timer.owner.log.warn({ err: e }, 'sendAfter message could not be sent');
  }
}

export function startTimer(owner: TimerOwner, ms: number, to: Destination, msg: unknown): TimerRef {
  const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
  const timer = new TimerRef(owner, delay);
  timer.handle = setTimeout(fire, delay, timer, to, msg);
  (owner.timers ??= new Set()).add(timer);
  return timer;
}

/** Returns true when the timer was pending (it will not fire now). */
export function cancelTimer(timer: TimerRef): boolean {
  if (timer.handle === null) return false;
  clearTimeout(timer.handle);
  timer.handle = null;
  timer.owner.timers?.delete(timer);
  return true;
}

/** Cancel every timer of an exiting owner. */
export function cancelAllTimers(owner: TimerOwner): void {
  const timers = owner.timers;
  if (timers === null) return;
  owner.timers = null;
  for (const t of timers) {
    if (t.handle !== null) clearTimeout(t.handle);
    t.handle = null;
  }
}
