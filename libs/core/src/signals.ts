import { Pid, type ExitReason, isRef, isPid, type Ref } from '@sdnode/wire';

/**
 * System messages: plain, serialisable objects with a `signal` discriminator. The runtime puts
 * them in mailboxes (trapped exits, monitors, node monitoring, the call pattern); user code
 * recognises them with the type guards below. `signal` is reserved for these shapes.
 */

/** A process registered under `name` on node `node` (a destination or a monitor target). */
export interface NameAtNode {
  readonly name: string;
  readonly node: string;
}

/** Where a message can go: a pid, a local registered name, or a name on a (possibly remote) node. */
export type Destination = Pid | string | NameAtNode;

/** What a monitor can watch: a pid, a local registered name, or a name on a node. */
export type MonitorTarget = Pid | string | NameAtNode;

/** An exit signal turned into a message because the receiver traps exits. */
export interface ExitMessage {
  readonly signal: 'EXIT';
  readonly from: Pid;
  readonly reason: ExitReason;
}

/** A monitored process (or name) went down; delivered once per monitor. */
export interface DownMessage {
  readonly signal: 'DOWN';
  readonly ref: Ref;
  readonly target: Pid | NameAtNode;
  readonly reason: ExitReason;
}

export interface NodeUpMessage {
  readonly signal: 'nodeup';
  readonly node: string;
}

export interface NodeDownMessage {
  readonly signal: 'nodedown';
  readonly node: string;
}

/** The request a callee receives from `call`; answer it with `ctx.reply(msg, value)`. */
export interface CallMessage<Req = unknown> {
  readonly signal: 'call';
  readonly from: Pid;
  readonly ref: Ref;
  readonly request: Req;
}

/** The answer to a call; only delivered while the caller still waits for it. */
export interface ReplyMessage<V = unknown> {
  readonly signal: 'reply';
  readonly ref: Ref;
  readonly value: V;
}

/** Identifies a caller to reply to (a CallMessage is one). */
export interface CallFrom {
  readonly from: Pid;
  readonly ref: Ref;
}

export type SystemMessage = ExitMessage | DownMessage | NodeUpMessage | NodeDownMessage | CallMessage | ReplyMessage;

function signalOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { signal?: unknown }).signal : undefined;
}

export function isExitMessage(value: unknown): value is ExitMessage {
  return signalOf(value) === 'EXIT' && isPid((value as ExitMessage).from);
}

export function isDownMessage(value: unknown): value is DownMessage {
  return signalOf(value) === 'DOWN' && isRef((value as DownMessage).ref);
}

export function isNodeUpMessage(value: unknown): value is NodeUpMessage {
  return signalOf(value) === 'nodeup' && typeof (value as NodeUpMessage).node === 'string';
}

export function isNodeDownMessage(value: unknown): value is NodeDownMessage {
  return signalOf(value) === 'nodedown' && typeof (value as NodeDownMessage).node === 'string';
}

export function isCallMessage(value: unknown): value is CallMessage {
  return signalOf(value) === 'call' && isPid((value as CallMessage).from) && isRef((value as CallMessage).ref);
}

export function isReplyMessage(value: unknown): value is ReplyMessage {
  return signalOf(value) === 'reply' && isRef((value as ReplyMessage).ref);
}

export function isSystemMessage(value: unknown): value is SystemMessage {
  const s = signalOf(value);
  return s === 'EXIT' || s === 'DOWN' || s === 'nodeup' || s === 'nodedown' || s === 'call' || s === 'reply';
}

export function isNameAtNode(value: unknown): value is NameAtNode {
  if (typeof value !== 'object' || value === null || value instanceof Pid) return false;
  const v = value as NameAtNode;
  return typeof v.name === 'string' && typeof v.node === 'string';
}

/** Printable form of a destination or monitor target, for errors and logs. */
export function formatTarget(target: Destination): string {
  if (typeof target === 'string') return target;
  if (target instanceof Pid) return target.toString();
  return `{${target.name},${target.node}}`;
}

/** Short aliases of the guards above. */
export const isExit = isExitMessage;
export const isDown = isDownMessage;
export const isNodeUp = isNodeUpMessage;
export const isNodeDown = isNodeDownMessage;
export const isCall = isCallMessage;
export const isReply = isReplyMessage;
