import type { ExitReason, Pid, Ref } from '@sdnode/wire';
import type { CallFrom, Destination, MonitorTarget } from './signals.js';
import type { ProcessType, AsyncBody } from './process-type.js';
import type { TimerRef } from './timers.js';
import type { CoreLogger } from './logger.js';
import type { Node } from './node.js';

/** Picks the messages a receive accepts: return a value to take the message, undefined to leave it. */
export type Matcher<T> = (msg: unknown) => T | undefined;

export interface ReceiveOptions<U = never> {
  /** Give up after this many ms (0: only look at the mailbox as it is, like Erlang's `after 0`). */
  readonly timeout?: number;
  /** Abort the wait (the receive rejects with AbortedError). */
  readonly signal?: AbortSignal;
  /** On timeout, resolve with this function's result instead of rejecting with TimeoutError. */
  readonly onTimeout?: () => U;
}

export interface CallOptions {
  /** Default 5000 ms. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface SpawnFnOptions {
  /** Link the new process to this one atomically (before it runs). */
  readonly link?: boolean;
}

export interface RemoteSpawnOptions {
  /** Link the new process to the caller atomically, on the remote node, before it runs. */
  readonly link?: boolean;
  /** Register the new process under this name on the remote node. */
  readonly name?: string;
  /** Also monitor the new process (see ProcessContext.spawnRemote). */
  readonly monitor?: boolean;
  /** Default 5000 ms. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface DemonitorOptions {
  /** Also remove a DOWN message of this monitor already in the mailbox. */
  readonly flush?: boolean;
}

export interface MonitorNodesOptions {
  /** Also report hidden nodes (default: visible nodes only). */
  readonly hidden?: boolean;
}

/**
 * What a process sees of the runtime. Every method acts as the process `self`.
 *
 * Local messages are passed by reference, never copied: treat every message you send or receive
 * as immutable. Messages to other nodes are encoded (CBOR) at send time; a value that cannot be
 * encoded makes `send` throw NotSendableError.
 */
export interface ProcessContext {
  readonly self: Pid;
  readonly node: Node;
  /** A child logger bound to this pid (created on first use). */
  readonly log: CoreLogger;

  send(to: Destination, msg: unknown): void;
  /**
   * Take the first message (in arrival order) that `matcher` accepts; others stay in the mailbox
   * in order. Rejects with TimeoutError after `timeout`, AbortedError on `signal`. One receive at
   * a time per process. If the process exits while waiting, the promise never settles.
   */
  receive<T = unknown, U = never>(matcher?: Matcher<T>, options?: ReceiveOptions<U>): Promise<T | U>;

  link(pid: Pid): void;
  unlink(pid: Pid): void;
  monitor(target: MonitorTarget): Ref;
  /** Returns true when the monitor was active. */
  demonitor(ref: Ref, options?: DemonitorOptions): boolean;
  trapExit(on: boolean): void;

  /** Exit this process now with `reason` (throws to unwind the caller; do not catch it). */
  exit(reason: ExitReason): never;
  /** Send an exit signal to `pid` (`kill` cannot be trapped). */
  exit(pid: Pid, reason: ExitReason): void;

  spawn<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): Pid;
  spawnLink<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): Pid;
  spawnMonitor<A extends unknown[]>(type: ProcessType<A> | string, ...args: A): { pid: Pid; ref: Ref };
  /** Spawn an anonymous local process running `fn` (closures never leave the node). */
  spawnFn(fn: AsyncBody<[]>, options?: SpawnFnOptions): Pid;
  /**
   * Spawn a process of a named type on another node (or this one). With `monitor: true` the
   * caller also monitors the new process and gets the ref. Link and monitor are atomic: the
   * spawning node sets them up before the process runs, so a child that exits at once is still
   * reported with its real reason (as Erlang's spawn_request with `link` / `monitor`).
   */
  spawnRemote(node: string, type: string, args: readonly unknown[], options: RemoteSpawnOptions & { readonly monitor: true }): Promise<{ pid: Pid; ref: Ref }>;
  spawnRemote(node: string, type: string, args: readonly unknown[], options?: RemoteSpawnOptions): Promise<Pid>;

  /** Register this process under a local name. */
  register(name: string): void;
  whereis(name: string): Pid | undefined;

  /** Send `msg` to `to` after `ms`; cancelled when this process exits. */
  sendAfter(ms: number, to: Destination, msg: unknown): TimerRef;
  /** Returns true when the timer was still pending. */
  cancelTimer(timer: TimerRef): boolean;

  /**
   * The OTP call pattern: monitor the callee, send `{signal:'call', from, ref, request}`, wait for
   * the reply with that ref. Ends with the value, TimeoutError, NoProcError, NoConnectionError or
   * CalleeExitError. A reply arriving after the timeout is discarded.
   */
  call<T = unknown>(to: Destination, request: unknown, options?: CallOptions): Promise<T>;
  /** Answer a call (`from` is the CallMessage or its `{from, ref}`). */
  reply(from: CallFrom, value: unknown): void;

  /** Receive `{signal:'nodeup'|'nodedown', node}` messages. */
  monitorNodes(on: boolean, options?: MonitorNodesOptions): void;
}
