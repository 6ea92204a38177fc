import { AbortedError, InvalidArgumentError, TimeoutError } from '@sdnode/wire';
import type { Proc } from './process.js';
import type { Matcher, ReceiveOptions } from './process-context.js';
import { F_DEAD } from './process-flags.js';

/** What `takeMessage` returns when nothing matched. */
export const NO_MATCH: unique symbol = Symbol('no match');

/**
 * A receive waiting for a message. Messages before `scan` were already offered to the matcher
 * (a matcher is assumed pure: a message it refused once it refuses again), so a new message costs
 * one matcher call, not a rescan of the mailbox.
 */
export class PendingReceive {
  timer: ReturnType<typeof setTimeout> | null = null;
  abort: (() => void) | null = null;
  constructor(
    readonly matcher: Matcher<unknown> | undefined,
    readonly resolve: (v: unknown) => void,
    readonly reject: (e: unknown) => void,
    public scan: number,
  ) {}

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.abort !== null) this.abort();
    this.abort = null;
  }
}

/** Take the first message from index `start` that `matcher` accepts (the whole message without one). */
export function takeMessage(p: Proc, start: number, matcher: Matcher<unknown> | undefined): unknown {
  const q = p.mq;
  if (q === null) return NO_MATCH;
  const len = q.length;
  let i = start < p.mh ? p.mh : start;
  if (matcher === undefined) {
    if (i >= len) return NO_MATCH;
    const m = q[i];
    removeAt(p, i);
    return m;
  }
  for (; i < len; i++) {
    const v = matcher(q[i]);
    if (v !== undefined) {
      removeAt(p, i);
      return v;
    }
  }
  return NO_MATCH;
}

function removeAt(p: Proc, i: number): void {
  const q = p.mq!;
  if (i !== p.mh) {
    q.splice(i, 1);
    return;
  }
  q[i] = undefined;
  p.mh = i + 1;
  if (p.mh === q.length) {
    q.length = 0;
    p.mh = 0;
  } else if (p.mh > 1024 && p.mh * 2 > q.length) {
    q.splice(0, p.mh);
    if (p.rx !== null) p.rx.scan -= p.mh;
    p.mh = 0;
  }
}

/** Remove every message `pred` accepts (demonitor with flush). */
export function removeMessages(p: Proc, pred: (m: unknown) => boolean): void {
  const q = p.mq;
  if (q === null) return;
  const kept = q.slice(p.mh).filter((m) => !pred(m));
  p.mq = kept.length === 0 ? null : kept;
  p.mh = 0;
  if (p.rx !== null) p.rx.scan = 0;
}

/**
 * `ctx.receive`. A message already in the mailbox is taken at once (a resolved promise) while the
 * scheduler's turn budget lasts; otherwise the receive waits and the scheduler resolves it
 * (runPendingReceive) when a message arrives, budgets permitting.
 */
export function receive<T, U>(p: Proc, matcher: Matcher<T> | undefined, options: ReceiveOptions<U> | undefined): Promise<T | U> {
  // An exited process never resumes: a fresh promise that never settles (a shared one would keep
  // every continuation attached to it alive forever).
  if ((p.flags & F_DEAD) !== 0) return new Promise<never>(() => undefined);
  if (p.rx !== null) return Promise.reject(new InvalidArgumentError('receive', 'another receive is already pending in this process'));
  const timeout = options?.timeout;
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(new AbortedError('receive', { pid: p.self.toString() }));
  const sched = p.k.scheduler;
  let scanned = false;
  if (sched.hasBudget() || timeout === 0) {
    scanned = true;
    let v: unknown;
    try {
      v = takeMessage(p, p.mh, matcher as Matcher<unknown> | undefined);
    } catch (e) {
      return Promise.reject(e);
    }
    if (v !== NO_MATCH) {
      sched.charge(1);
      return Promise.resolve(v as T);
    }
    if (timeout === 0) {
      if (options?.onTimeout !== undefined) return Promise.resolve().then(options.onTimeout);
      return Promise.reject(new TimeoutError('receive', 0, { pid: p.self.toString() }));
    }
  }
  return new Promise<T | U>((resolve, reject) => {
    const scan = scanned ? (p.mq?.length ?? 0) : p.mh;
    const rx = new PendingReceive(matcher as Matcher<unknown> | undefined, resolve as (v: unknown) => void, reject, scan);
    p.rx = rx;
    if (timeout !== undefined && Number.isFinite(timeout)) {
      rx.timer = setTimeout(receiveTimedOut, Math.max(0, timeout), p, rx, timeout, options?.onTimeout);
    }
    if (signal !== undefined) {
      const onAbort = (): void => {
        if (p.rx !== rx) return;
        p.rx = null;
        rx.clear();
        reject(new AbortedError('receive', { pid: p.self.toString() }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      rx.abort = () => signal.removeEventListener('abort', onAbort);
    }
    if (!scanned && !p.queued) sched.enqueue(p);
  });
}

function receiveTimedOut(p: Proc, rx: PendingReceive, timeout: number, onTimeout: (() => unknown) | undefined): void {
  rx.timer = null;
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
    rx.scan = p.mq === null ? 0 : p.mq.length;
    return 1;
  }
  p.rx = null;
  rx.clear();
  rx.resolve(v);
  return 1;
}
