import { AbortedError, InvalidArgumentError, TimeoutError, type Ref } from '@sdnode/wire';
import type { Proc } from './process.js';
import type { Matcher, ReceiveOptions } from './process-context.js';
import { F_DEAD } from './process-flags.js';
import { disarm, type TimedEntry, type TimerList } from './receive-timers.js';

/** What `takeMessage` returns when nothing matched. */
export const NO_MATCH: unique symbol = Symbol('no match');

/**
 * A receive waiting for a message. The first `scan` pending messages were already offered to the
 * matcher (a matcher is assumed pure: a message it refused once it refuses again), so a new
 * message costs one matcher call, not a rescan of the mailbox. While a receive is pending nothing
 * else consumes messages, so the count stays valid.
 */
export class PendingReceive implements TimedEntry {
  abort: (() => void) | null = null;
  // Its timeout, when it has one: an entry of the node's ReceiveTimers (no timer object per receive).
  deadline = 0;
  prev: TimedEntry | null = null;
  next: TimedEntry | null = null;
  list: TimerList | null = null;
  timeout = 0;
  onTimeout: (() => unknown) | undefined = undefined;

  constructor(
    readonly p: Proc,
    readonly matcher: Matcher<unknown> | undefined,
    readonly resolve: (v: unknown) => void,
    readonly reject: (e: unknown) => void,
    public scan: number,
  ) {}

  /** Make a settled (or never used) entry ready to wait again: the call's receive is reused (call.ts). */
  reset(scan: number): void {
    this.scan = scan;
    this.abort = null;
    this.timeout = 0;
    this.onTimeout = undefined;
  }

  clear(): void {
    if (this.list !== null) disarm(this);
    if (this.abort !== null) this.abort();
    this.abort = null;
  }

  /** The timeout passed (called by ReceiveTimers, already disarmed). */
  fire(): void {
    receiveTimedOut(this.p, this, this.timeout, this.onTimeout);
  }
}

/** Messages per mailbox segment. */
export const MAILBOX_SEGMENT = 4096;

/** Append behind a full head segment (or behind existing overflow segments). */
export function pushOverflow(p: Proc, msg: unknown): void {
  const mo = p.mo;
  if (mo === null) {
    p.mo = [[msg]];
    return;
  }
  const last = mo[mo.length - 1]!;
  if (last.length < MAILBOX_SEGMENT) last.push(msg);
  else mo.push([msg]);
}

/**
 * The head segment `q` is fully consumed: the next segment becomes the head (or the mailbox is
 * empty: null, so the next delivery makes a one-slot array; emptying `q` with `length = 0` would
 * drop its backing store anyway, and the next push would allocate 17 slots).
 */
export function headSegmentDone(p: Proc, q: unknown[]): void {
  const mo = p.mo;
  p.mh = 0;
  if (mo === null) {
    if (p.mq === q) p.mq = null;
    else q.length = 0;
    return;
  }
  p.mq = mo.shift()!;
  if (mo.length === 0) p.mo = null;
}

/**
 * The matcher of a call's receive (call.ts): the reply or DOWN whose ref is the process's
 * `callRef`. takeMessage gives it the process, so a call needs no closure per receive.
 */
export function matchCallAnswer(m: unknown, p: Proc): unknown {
  if (typeof m !== 'object' || m === null) return undefined;
  const signal = (m as { signal?: unknown }).signal;
  if (signal !== 'reply' && signal !== 'DOWN') return undefined;
  const ref = p.callRef;
  const got = (m as { ref?: unknown }).ref;
  return ref !== null && (got === ref || ref.equals(got)) ? m : undefined;
}

/** Offer `m` to `matcher` (matchCallAnswer is given the process too). */
function offer(p: Proc, matcher: Matcher<unknown>, m: unknown): unknown {
  return matcher === (matchCallAnswer as unknown) ? matchCallAnswer(m, p) : matcher(m);
}

/**
 * Take the first message that `matcher` accepts (the head message without a matcher), skipping
 * the first `skip` pending messages (already refused by this matcher).
 */
export function takeMessage(p: Proc, skip: number, matcher: Matcher<unknown> | undefined): unknown {
  const q = p.mq;
  if (q === null) return NO_MATCH;
  const len = q.length;
  const first = p.mh + skip;
  for (let i = first; i < len; i++) {
    const m = q[i];
    const v = matcher === undefined ? m : offer(p, matcher, m);
    if (v !== undefined || matcher === undefined) {
      if (i === p.mh) {
        q[i] = undefined;
        if (i + 1 === len) headSegmentDone(p, q);
        else p.mh = i + 1;
      } else {
        q.splice(i, 1);
      }
      return v;
    }
  }
  const mo = p.mo;
  if (mo === null) return NO_MATCH;
  let rest = first > len ? first - len : 0;
  for (let s = 0; s < mo.length; s++) {
    const seg = mo[s]!;
    if (rest >= seg.length) {
      rest -= seg.length;
      continue;
    }
    for (let i = rest; i < seg.length; i++) {
      const m = seg[i];
      const v = matcher === undefined ? m : offer(p, matcher, m);
      if (v !== undefined || matcher === undefined) {
        seg.splice(i, 1);
        if (seg.length === 0) {
          mo.splice(s, 1);
          if (mo.length === 0) p.mo = null;
        }
        return v;
      }
    }
    rest = 0;
  }
  return NO_MATCH;
}

/** Remove every message `pred` accepts (demonitor with flush). */
export function removeMessages(p: Proc, pred: (m: unknown) => boolean): void {
  const q = p.mq;
  if (q === null) return;
  const all = q.slice(p.mh);
  if (p.mo !== null) for (const seg of p.mo) for (const m of seg) all.push(m);
  const kept = all.filter((m) => !pred(m));
  p.mq = kept.length === 0 ? null : kept;
  p.mh = 0;
  p.mo = null;
  if (p.rx !== null) p.rx.scan = 0;
}

/**
 * Remove the DOWN message of the monitor `refKey` (demonitor with flush). Scans in place and only
 * rebuilds the mailbox when such a message is there (the common case of a call: it is not).
 */
export function removeDown(p: Proc, refKey: string): void {
  const q = p.mq;
  if (q === null) return;
  let found = false;
  for (let i = p.mh; i < q.length && !found; i++) found = isDownOf(q[i], refKey);
  if (!found && p.mo !== null) for (const seg of p.mo) for (let i = 0; i < seg.length && !found; i++) found = isDownOf(seg[i], refKey);
  if (found) removeMessages(p, (m) => isDownOf(m, refKey));
}

/** removeDown for the ref itself (no key string built): the call path's flush. */
export function removeDownOf(p: Proc, ref: Ref): void {
  const q = p.mq;
  if (q === null) return;
  let found = false;
  for (let i = p.mh; i < q.length && !found; i++) found = isDownOfRef(q[i], ref);
  if (!found && p.mo !== null) for (const seg of p.mo) for (let i = 0; i < seg.length && !found; i++) found = isDownOfRef(seg[i], ref);
  if (found) removeMessages(p, (m) => isDownOfRef(m, ref));
}

function isDownOfRef(m: unknown, ref: Ref): boolean {
  if (typeof m !== 'object' || m === null || (m as { signal?: unknown }).signal !== 'DOWN') return false;
  return ref.equals((m as { ref?: unknown }).ref);
}

function isDownOf(m: unknown, refKey: string): boolean {
  if (typeof m !== 'object' || m === null || (m as { signal?: unknown }).signal !== 'DOWN') return false;
  const ref = (m as { ref?: { key?: unknown } }).ref;
  return typeof ref === 'object' && ref !== null && ref.key === refKey;
}

/**
 * `ctx.receive`. A message already in the mailbox is taken at once (a resolved promise) while the
 * scheduler's turn budget lasts; otherwise the receive waits and the scheduler resolves it
 * (runPendingReceive) when a message arrives, budgets permitting.
 */
export function receive<T, U>(p: Proc, matcher: Matcher<T> | undefined, options: ReceiveOptions<U> | undefined): Promise<T | U> {
  if (options === undefined) return receiveWith(p, matcher, undefined, undefined, undefined);
  return receiveWith(p, matcher, options.timeout, options.signal, options.onTimeout);
}

/** `receive` with its options as arguments (the call path uses it without an options object). */
export function receiveWith<T, U>(
  p: Proc,
  matcher: Matcher<T> | undefined,
  timeout: number | undefined,
  signal: AbortSignal | undefined,
  onTimeout: (() => U) | undefined,
): Promise<T | U> {
  // An exited process never resumes: a fresh promise that never settles (a shared one would keep
  // every continuation attached to it alive forever).
  if ((p.flags & F_DEAD) !== 0) return new Promise<never>(() => undefined);
  if (p.rx !== null) return Promise.reject(new InvalidArgumentError('receive', 'another receive is already pending in this process'));
  if (signal?.aborted) return Promise.reject(new AbortedError('receive', { pid: p.self.toString() }));
  const sched = p.k.scheduler;
  let scanned = false;
  if (sched.hasBudget() || timeout === 0) {
    scanned = true;
    let v: unknown;
    try {
      v = takeMessage(p, 0, matcher as Matcher<unknown> | undefined);
    } catch (e) {
      return Promise.reject(e);
    }
    if (v !== NO_MATCH) {
      sched.charge(1);
      return Promise.resolve(v as T);
    }
    if (timeout === 0) {
      if (onTimeout !== undefined) return Promise.resolve().then(onTimeout);
      return Promise.reject(new TimeoutError('receive', 0, { pid: p.self.toString() }));
    }
  }
  return new Promise<T | U>((resolve, reject) => {
    const rx = new PendingReceive(p, matcher as Matcher<unknown> | undefined, resolve as (v: unknown) => void, reject, scanned ? p.queueLength : 0);
    startWaiting(p, rx, timeout, signal, onTimeout, scanned);
  });
}

/**
 * Make `rx` the process's pending receive: arm its timeout, listen to its abort signal, and get
 * the process run when the mailbox was not scanned yet. `rx.reject` gets the AbortedError.
 */
export function startWaiting(
  p: Proc,
  rx: PendingReceive,
  timeout: number | undefined,
  signal: AbortSignal | undefined,
  onTimeout: (() => unknown) | undefined,
  scanned: boolean,
): void {
  p.rx = rx;
  if (timeout !== undefined && Number.isFinite(timeout)) {
    rx.timeout = timeout;
    rx.onTimeout = onTimeout;
    p.k.receiveTimers.arm(rx, timeout);
  }
  if (signal !== undefined) {
    const onAbort = (): void => {
      if (p.rx !== rx) return;
      p.rx = null;
      rx.clear();
      rx.reject(new AbortedError('receive', { pid: p.self.toString() }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    rx.abort = () => signal.removeEventListener('abort', onAbort);
  }
  if (!scanned && !p.queued) p.k.scheduler.enqueue(p);
}

function receiveTimedOut(p: Proc, rx: PendingReceive, timeout: number, onTimeout: (() => unknown) | undefined): void {
  if (p.rx !== rx) return;
  p.rx = null;
  rx.clear();
  if (onTimeout === undefined) {
    rx.reject(new TimeoutError('receive', timeout, { pid: p.self.toString() }));
    return;
  }
  try {
    rx.resolve(onTimeout());
  } catch (e) {
    rx.reject(e);
  }
}

/** The scheduler runs a process with a pending receive: offer it the messages not yet tried. */
export function runPendingReceive(p: Proc, rx: PendingReceive): number {
  let v: unknown;
  try {
    v = takeMessage(p, rx.scan, rx.matcher);
  } catch (e) {
    p.rx = null;
    rx.clear();
    rx.reject(e);
    return 1;
  }
  if (v === NO_MATCH) {
    rx.scan = p.queueLength;
    return 1;
  }
  p.rx = null;
  rx.clear();
  rx.resolve(v);
  return 1;
}
