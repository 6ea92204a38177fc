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
 * that ref or the monitor's DOWN. While the call is in flight its ref is in `caller.calls`; a
 * reply with a ref not in that set is discarded on delivery, so a reply arriving after a timeout
 * never reaches the mailbox (the role Erlang's process aliases play).
 */
export async function callAs(caller: Proc, to: Destination, request: unknown, options: CallOptions = {}): Promise<unknown> {
  const timeout = options.timeout ?? DEFAULT_CALL_TIMEOUT;
  const k = caller.k;
  const ref = k.monitor(caller, to);
  const key = ref.key;
  (caller.calls ??= new Set()).add(key);
  try {
    caller.sendQuietly(to, { signal: 'call', from: caller.self, ref, request });
    let answer: ReplyMessage | DownMessage;
    try {
      answer = await receiveWith<ReplyMessage | DownMessage, never>(caller, (m) => matchAnswer(m, key), timeout, options.signal, undefined);
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
    caller.calls?.delete(key);
  }
}

function matchAnswer(m: unknown, key: string): ReplyMessage | DownMessage | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const signal = (m as { signal?: unknown }).signal;
  if (signal !== 'reply' && signal !== 'DOWN') return undefined;
  const ref = (m as { ref?: Ref }).ref;
  return typeof ref === 'object' && ref !== null && ref.key === key ? (m as ReplyMessage | DownMessage) : undefined;
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
