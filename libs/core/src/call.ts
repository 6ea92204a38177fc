import {
  CalleeExitError,
  NoConnectionError,
  NoProcError,
  TimeoutError,
  type ExitReason,
  type Ref,
} from '@sdnode/wire';
import type { CallOptions } from './process-context.js';
import type { Proc } from './process.js';
import { receiveWith } from './selective-receive.js';
import { formatTarget, type Destination, type DownMessage, type ReplyMessage } from './signals.js';

export const DEFAULT_CALL_TIMEOUT = 5000;

/**
 * The OTP call pattern, as gen:call does it: monitor the callee (the monitor's ref tags the
 * request), send `{signal:'call', from, ref, request}`, then selectively receive the reply with
 * that ref or the monitor's DOWN. While the call is in flight its ref is `caller.callRef` (or in
 * `caller.calls` for concurrent calls); a reply with any other ref is discarded on delivery, so
 * a reply arriving after a timeout never reaches the mailbox (the role Erlang's process aliases
 * play).
 */
export async function callAs(caller: Proc, to: Destination, request: unknown, options: CallOptions = {}): Promise<unknown> {
  const timeout = options.timeout ?? DEFAULT_CALL_TIMEOUT;
  const k = caller.k;
  const ref = k.monitor(caller, to);
  const single = caller.callRef === null;
  if (single) caller.callRef = ref;
  else (caller.calls ??= new Set()).add(ref.key);
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
    if (single) caller.callRef = null;
    else caller.calls?.delete(ref.key);
  }
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
