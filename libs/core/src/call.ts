import {
  CalleeExitError,
  NoConnectionError,
  NoProcError,
  Pid,
  TimeoutError,
  type ExitReason,
  type Ref,
} from '@sdnode/wire';
import type { CallOptions, Matcher } from './process-context.js';
import type { Proc } from './process.js';
import { F_DEAD } from './process-flags.js';
import { NO_MATCH, PendingReceive, matchCallAnswer, receiveWith, removeDownOf, startWaiting, takeMessage } from './selective-receive.js';
import { CallMonitor } from './call-monitor.js';
import { formatTarget, type Destination, type DownMessage, type ReplyMessage } from './signals.js';

export const DEFAULT_CALL_TIMEOUT = 5000;

/**
 * The OTP call pattern, as gen:call does it: monitor the callee (the monitor's ref tags the
 * request), send `{signal:'call', from, ref, request}`, then selectively receive the reply with
 * that ref or the monitor's DOWN. While the call is in flight its ref is `caller.callRef` (or in
 * `caller.calls` for concurrent calls); a reply with any other ref is discarded on delivery, so
 * a reply arriving after a timeout never reaches the mailbox (the role Erlang's process aliases
 * play).
 *
 * The usual case, one call at a time, is not an async function: it waits with the process's
 * reused pending receive (matchCallAnswer, no closure), whose delivery of the answer settles the
 * call's promise directly (awaitAnswer); the state and callbacks are kept in the caller's
 * CallMonitor, which also holds the monitor of a call to a remote pid (call-monitor.ts):
 * bench/README.md, "Remote call".
 */
export function callAs(caller: Proc, to: Destination, request: unknown, options: CallOptions = {}): Promise<unknown> {
  if (caller.callRef !== null) return concurrentCall(caller, to, request, options);
  const timeout = options.timeout ?? DEFAULT_CALL_TIMEOUT;
  const k = caller.k;
  const remote = k.remote;
  // the call monitor slot: a call to a remote pid, on a distribution that has one
  const slotted = to instanceof Pid && to.node !== k.name && remote.callMonitor !== undefined && (caller.flags & F_DEAD) === 0;
  const call = (caller.callMon ??= new CallMonitor(caller));
  if (call.onAnswer === null) setCallbacks(caller, call);
  let ref: Ref;
  try {
    if (slotted) {
      ref = k.makeRef();
      remote.callMonitor!(caller, ref, to);
    } else {
      ref = k.monitor(caller, to);
    }
    caller.callRef = ref;
    caller.sendQuietly(to, { signal: 'call', from: caller.self, ref, request });
  } catch (e) {
    if (caller.callRef !== null) endMonitor(caller, caller.callRef, slotted);
    caller.callRef = null;
    return Promise.reject(e);
  }
  call.to = to;
  call.timeout = timeout;
  call.slotted = slotted;
  return awaitAnswer(caller, call, timeout, options.signal);
}

/**
 * The receive of the single call in flight. Its usual form, waiting for the answer, allocates only
 * the promise it returns: the pending receive is the process's reused `call.rx`, and the delivery
 * of the answer settles that promise directly (settleCall), without a receive promise in between.
 * The rare cases (an exited process, a receive already pending, an aborted signal, a timeout of 0,
 * an answer already in the mailbox) go through receiveWith as any receive.
 */
function awaitAnswer(caller: Proc, call: CallMonitor, timeout: number, signal: AbortSignal | undefined): Promise<unknown> {
  if ((caller.flags & F_DEAD) !== 0 || caller.rx !== null || timeout === 0 || signal?.aborted === true) {
    return receiveWith(caller, matchCallAnswer as Matcher<unknown>, timeout, signal, undefined).then(call.onAnswer!, call.onFailure!);
  }
  const sched = caller.k.scheduler;
  let scanned = false;
  if (sched.hasBudget()) {
    scanned = true;
    let v: unknown;
    try {
      v = takeMessage(caller, 0, matchCallAnswer as Matcher<unknown>);
    } catch (e) {
      return Promise.reject(e).then(call.onAnswer!, call.onFailure!);
    }
    if (v !== NO_MATCH) {
      sched.charge(1);
      return Promise.resolve(v).then(call.onAnswer!, call.onFailure!);
    }
  }
  const promise = new Promise<unknown>(call.executor!);
  const rx = call.rx!;
  rx.reset(scanned ? caller.queueLength : 0);
  startWaiting(caller, rx, timeout, signal, undefined, scanned);
  return promise;
}

/** The callbacks and the reused pending receive of the caller's calls, made once per process. */
function setCallbacks(caller: Proc, call: CallMonitor): void {
  call.onAnswer = (answer) => answerCall(caller, call, answer);
  call.onFailure = (error) => callFailed(caller, call, error);
  call.executor = (resolve, reject) => {
    call.resolve = resolve;
    call.reject = reject;
  };
  call.rx = new PendingReceive(
    caller,
    matchCallAnswer as Matcher<unknown>,
    (answer) => settleCall(caller, call, answer),
    (error) => failCall(caller, call, error),
    0,
  );
}

/** The call's pending receive took its answer (call.rx.resolve): settle the call's promise with it. */
function settleCall(caller: Proc, call: CallMonitor, answer: unknown): void {
  const resolve = call.resolve!;
  const reject = call.reject!;
  call.resolve = null;
  call.reject = null;
  let value: unknown;
  try {
    value = answerCall(caller, call, answer);
  } catch (e) {
    reject(e);
    return;
  }
  resolve(value);
}

/** The call's pending receive failed (call.rx.reject: timeout, abort): reject the call's promise. */
function failCall(caller: Proc, call: CallMonitor, error: unknown): void {
  const reject = call.reject!;
  call.resolve = null;
  call.reject = null;
  try {
    callFailed(caller, call, error);
  } catch (e) {
    reject(e);
  }
}

/** The answer to the single call in flight (CallMonitor.onAnswer): its value, or the callee's exit. */
function answerCall(caller: Proc, call: CallMonitor, answer: unknown): unknown {
  const ref = caller.callRef!;
  const to = call.to!;
  call.to = null;
  caller.callRef = null;
  const a = answer as ReplyMessage | DownMessage;
  if (a.signal === 'reply') {
    endMonitor(caller, ref, call.slotted);
    return a.value;
  }
  throw calleeExitError(to, a.reason);
}

/** The single call's receive failed (CallMonitor.onFailure): timeout, abort, or a receive already pending. */
function callFailed(caller: Proc, call: CallMonitor, error: unknown): never {
  const ref = caller.callRef;
  const to = call.to!;
  call.to = null;
  caller.callRef = null;
  if (ref !== null) endMonitor(caller, ref, call.slotted);
  if (error instanceof TimeoutError) throw new TimeoutError('call', call.timeout, { target: formatTarget(to) });
  throw error;
}

/** A call made while another is in flight in the same process (callback-style processes). */
async function concurrentCall(caller: Proc, to: Destination, request: unknown, options: CallOptions): Promise<unknown> {
  const timeout = options.timeout ?? DEFAULT_CALL_TIMEOUT;
  const k = caller.k;
  const ref = k.monitor(caller, to);
  (caller.calls ??= new Set()).add(ref.key);
  try {
    caller.sendQuietly(to, { signal: 'call', from: caller.self, ref, request });
    let answer: ReplyMessage | DownMessage;
    try {
      answer = await receiveWith<ReplyMessage | DownMessage, never>(caller, (m) => matchAnswer(m, ref), timeout, options.signal, undefined);
    } catch (e) {
      k.demonitor(caller, ref, true);
      if (e instanceof TimeoutError) throw new TimeoutError('call', timeout, { target: formatTarget(to) });
      throw e;
    }
    if (answer.signal === 'reply') {
      k.demonitor(caller, ref, true);
      return answer.value;
    }
    throw calleeExitError(to, answer.reason);
  } finally {
    caller.calls?.delete(ref.key);
  }
}

/** Demonitor with flush: the call is over. */
function endMonitor(caller: Proc, ref: Ref, slotted: boolean): void {
  if (!slotted) {
    caller.k.demonitor(caller, ref, true);
    return;
  }
  const m = caller.callMon;
  if (m !== null && m.ref === ref) caller.k.remote.callDemonitor!(caller);
  removeDownOf(caller, ref);
}

function matchAnswer(m: unknown, ref: Ref): ReplyMessage | DownMessage | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const signal = (m as { signal?: unknown }).signal;
  if (signal !== 'reply' && signal !== 'DOWN') return undefined;
  const got = (m as { ref?: unknown }).ref;
  return got === ref || ref.equals(got) ? (m as ReplyMessage | DownMessage) : undefined;
}

/** The typed error for a callee that went down during a call. */
export function calleeExitError(to: Destination, reason: ExitReason): Error {
  const target = formatTarget(to);
  switch (reason.kind) {
    case 'noproc':
      return new NoProcError(target);
    case 'noconnection':
      return new NoConnectionError(typeof to === 'string' ? '?' : to.node, { target });
    default:
      return new CalleeExitError(target, reason);
  }
}
