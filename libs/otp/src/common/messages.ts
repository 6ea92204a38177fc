import { isCallMessage, type CallMessage } from '@sdnode/core';
import type { ExitReason, Pid } from '@sdnode/wire';
import type { TraceEvent, TraceSink } from './debug.js';

/**
 * The messages the behaviours exchange, beside the core's system messages (`signal`): plain,
 * serialisable objects whose one `$`-prefixed key names them. Keys starting with `$` at the top
 * level of a message are reserved for them.
 *
 * | message | shape | sent by |
 * | --- | --- | --- |
 * | cast | `{ $cast: payload }` | GenServer.cast, GenStatem.cast, EventManager.notify |
 * | system request | the `request` of a core call: `{ $sys: op, ... }` | Sys.* |
 * | start acknowledgement | `{ $otpAck: childPid, result }` | a behaviour process to its starter |
 * | trace event (to a pid sink) | `{ $trace: event }` | a traced process |
 * | handler exit | `{ $handlerExit: id, manager, reason }` | an event manager to a handler's owner |
 */

/** A cast: asynchronous, no answer. */
export interface CastMessage<P = unknown> {
  readonly $cast: P;
}

export function isCastMessage(value: unknown): value is CastMessage {
  return typeof value === 'object' && value !== null && '$cast' in value;
}

/** The operations of the system requests (Erlang's sys module). */
export type SysOp =
  | 'get_state'
  | 'replace_state'
  | 'get_status'
  | 'statistics'
  | 'trace'
  | 'suspend'
  | 'resume'
  | 'change_code'
  | 'prepare_code_change'
  | 'commit_code_change'
  | 'abort_code_change'
  | 'terminate';

export type SysRequest =
  | { readonly $sys: 'get_state' }
  | { readonly $sys: 'replace_state'; readonly fn: (state: unknown) => unknown }
  | { readonly $sys: 'get_status' }
  | { readonly $sys: 'statistics'; readonly op: 'get' | 'on' | 'off' }
  | { readonly $sys: 'trace'; readonly sink: TraceSink | null }
  | { readonly $sys: 'suspend' }
  | { readonly $sys: 'resume' }
  | { readonly $sys: 'change_code'; readonly to: unknown; readonly extra: unknown }
  | { readonly $sys: 'prepare_code_change'; readonly to: unknown; readonly extra: unknown }
  | { readonly $sys: 'commit_code_change' }
  | { readonly $sys: 'abort_code_change' }
  | { readonly $sys: 'terminate'; readonly reason: ExitReason };

const SYS_OPS: ReadonlySet<string> = new Set<SysOp>([
  'get_state',
  'replace_state',
  'get_status',
  'statistics',
  'trace',
  'suspend',
  'resume',
  'change_code',
  'prepare_code_change',
  'commit_code_change',
  'abort_code_change',
  'terminate',
]);

export function isSysRequest(value: unknown): value is SysRequest {
  if (typeof value !== 'object' || value === null) return false;
  const op = (value as { $sys?: unknown }).$sys;
  return typeof op === 'string' && SYS_OPS.has(op);
}

/** A call carrying a system request. */
export function isSysCall(msg: unknown): msg is CallMessage<SysRequest> {
  return isCallMessage(msg) && isSysRequest(msg.request);
}

/** The answer to a system request or a supervisor/manager request: a value or a typed error. */
export type Outcome<T> = { readonly ok: T } | { readonly error: Error };

export function isOutcome(value: unknown): value is Outcome<unknown> {
  return typeof value === 'object' && value !== null && ('ok' in value || ('error' in value && (value as { error: unknown }).error instanceof Error));
}

/** Unwrap an outcome: its value, or throw its error. */
export function unwrap<T>(outcome: unknown): T {
  if (!isOutcome(outcome)) return outcome as T;
  if ('error' in outcome) throw outcome.error;
  return outcome.ok as T;
}

/** A trace event delivered to a pid sink. */
export interface TraceMessage {
  readonly $trace: TraceEvent;
}

export function isTraceMessage(value: unknown): value is TraceMessage {
  return typeof value === 'object' && value !== null && '$trace' in value;
}

/** What a start acknowledgement says. */
export type AckResult =
  | 'ok'
  | 'ignore'
  | { readonly nameTaken: string; readonly holder: Pid | null }
  /** init failed (stop, a throw): said before exiting, so a remote starter learns the reason even if its monitor comes too late. */
  | { readonly failed: ExitReason };

export interface AckMessage {
  readonly $otpAck: Pid;
  readonly result: AckResult;
}

export function isAckFrom(value: unknown, child: Pid): value is AckMessage {
  return typeof value === 'object' && value !== null && child.equals((value as { $otpAck?: unknown }).$otpAck);
}

/**
 * A timer message a behaviour process sends itself. Never leaves the node: it is recognised by
 * identity (the process keeps the instance of each armed timer), so a stale one is told apart
 * from the current one without any counter.
 */
export class TimerTick {
  constructor(
    readonly kind: string,
    readonly name: unknown = undefined,
    readonly content: unknown = undefined,
  ) {}
}
