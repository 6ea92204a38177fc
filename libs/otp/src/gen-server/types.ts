import type { CallFrom, CallOptions, DownMessage, ExitMessage, ProcessContext } from '@sdnode/core';
import type { ExitReason, Pid } from '@sdnode/wire';
import type { MaybePromise } from '../common/async.js';
import type { Caller } from '../common/caller.js';
import type { Target } from '../common/names.js';
import type { OtpType } from '../common/otp-type.js';
import type { StartOptions } from '../common/start.js';

/**
 * The type of a server, declared once and used by both sides: the server's callbacks are checked
 * against it, and every client call gets the reply type of its operation.
 *
 * ```ts
 * interface KvSpec {
 *   args: [initial: Record<string, number>];      // init's arguments
 *   state: Map<string, number>;
 *   calls: { get(key: string): number | undefined; put(key: string, value: number): boolean };
 *   casts: { clear(): void };
 *   continue: 'warm-up';                           // terms handleContinue receives (optional)
 *   info: { tick: number };                        // messages handleInfo receives (optional)
 * }
 * ```
 */
export interface ServerSpec {
  readonly args?: unknown[];
  readonly state?: unknown;
  readonly calls?: object;
  readonly casts?: object;
  readonly continue?: unknown;
  readonly info?: unknown;
}

export type ArgsOf<S> = S extends { args: infer A extends unknown[] } ? A : [];
export type StateOf<S> = S extends { state: infer T } ? T : undefined;
export type CallsOf<S> = S extends { calls: infer C } ? C : {};
export type CastsOf<S> = S extends { casts: infer C } ? C : {};
export type ContinueOf<S> = S extends { continue: infer C } ? C : never;
export type InfoOf<S> = S extends { info: infer I } ? I : unknown;

/** The arguments of operation K of an operation map. */
export type OpArgs<M, K extends keyof M> = M[K] extends (...args: infer A) => unknown ? A : never;
/** The reply type of operation K (a declared Promise<R> means R). */
export type OpReply<M, K extends keyof M> = M[K] extends (...args: never[]) => infer R ? Awaited<R> : never;
/** The operation names of an operation map. */
export type OpName<M> = keyof M & string;

/** What handleInfo receives when a `timeout` returned by a callback expires with no message. */
export const TIMEOUT: unique symbol = Symbol('sdnode.otp.timeout');
export type TimeoutSignal = typeof TIMEOUT;

/** Who made a call; answer it later with `GenServer.reply(ctx, from, value)`. Serialisable. */
export interface From<R = unknown> extends CallFrom {
  /** @internal type-only: the reply type. */
  readonly __reply?: (value: R) => void;
}

/**
 * What a callback returns to continue: optionally a `timeout` (ms: if no message arrives in time,
 * handleInfo gets TIMEOUT) or a `continue` term (handleContinue runs before the next message).
 */
export type Next<C> = { readonly timeout?: number; readonly continue?: never } | { readonly continue: C; readonly timeout?: never };

export type InitResult<S, C = never> = ({ readonly state: S } & Next<C>) | { readonly stop: ExitReason } | { readonly ignore: true };

export type CallResult<S, R, C = never> =
  | ({ readonly reply: R; readonly state: S } & Next<C>)
  | ({ readonly noreply: true; readonly state: S } & Next<C>)
  | { readonly stop: ExitReason; readonly state: S; readonly reply?: R };

export type NoReplyResult<S, C = never> = ({ readonly state: S } & Next<C>) | { readonly stop: ExitReason; readonly state: S };

export type CodeChangeResult<S> = { readonly state: S } | { readonly error: unknown };

/** The first argument of every callback but init: the process and the current state. */
export interface ServerEnv<S> {
  /** The server's own process (send, monitor, spawn, timers...). */
  readonly ctx: ProcessContext;
  readonly state: S;
}

export interface CallEnv<S, R> extends ServerEnv<S> {
  readonly from: From<R>;
}

/** What handleInfo may receive: declared info messages, trapped exits, monitors' DOWN, TIMEOUT. */
export type InfoMessage<S> = InfoOf<S> | ExitMessage | DownMessage | TimeoutSignal;

export type CallHandlers<S> = {
  readonly [K in keyof CallsOf<S>]: (
    env: CallEnv<StateOf<S>, OpReply<CallsOf<S>, K>>,
    ...args: OpArgs<CallsOf<S>, K>
  ) => MaybePromise<CallResult<StateOf<S>, OpReply<CallsOf<S>, K>, ContinueOf<S>>>;
};

export type CastHandlers<S> = {
  readonly [K in keyof CastsOf<S>]: (env: ServerEnv<StateOf<S>>, ...args: OpArgs<CastsOf<S>, K>) => MaybePromise<NoReplyResult<StateOf<S>, ContinueOf<S>>>;
};

interface BaseCallbacks<S> {
  init(ctx: ProcessContext, ...args: ArgsOf<S>): MaybePromise<InitResult<StateOf<S>, ContinueOf<S>>>;
  /** Any other message (default: logged and dropped). */
  handleInfo?(env: ServerEnv<StateOf<S>>, msg: InfoMessage<S>): MaybePromise<NoReplyResult<StateOf<S>, ContinueOf<S>>>;
  handleContinue?(env: ServerEnv<StateOf<S>>, cont: ContinueOf<S>): MaybePromise<NoReplyResult<StateOf<S>, ContinueOf<S>>>;
  /** The server is stopping (a stop result, its parent's exit, Sys.terminate, a crash). */
  terminate?(env: ServerEnv<StateOf<S>>, reason: ExitReason): void | Promise<void>;
  /**
   * Called on the new implementation when a running server is switched to it
   * (Sys.changeCode): convert the state of version `oldVsn`. Default: the state is kept.
   */
  codeChange?(env: ServerEnv<unknown>, oldVsn: string | number | undefined, extra: unknown): MaybePromise<CodeChangeResult<StateOf<S>>>;
  /** The state as Sys.getStatus shows it (default: the state itself), e.g. serialisable, or without secrets. */
  formatStatus?(state: StateOf<S>): unknown;
}

/** The callbacks of a server: handlers are required for the operations its spec declares. */
export type ServerCallbacks<S> = BaseCallbacks<S> &
  (keyof CallsOf<S> extends never ? { readonly handleCall?: CallHandlers<S> } : { readonly handleCall: CallHandlers<S> }) &
  (keyof CastsOf<S> extends never ? { readonly handleCast?: CastHandlers<S> } : { readonly handleCast: CastHandlers<S> });

declare const SPEC: unique symbol;

/** A target (pid, name, `{name, node}`, a registry name such as `{global: name}`) known to run a server of spec S. */
export type ServerRef<S> = Target & { readonly [SPEC]?: S };

/** The pid of a started server of spec S. */
export type ServerPid<S> = Pid & { readonly [SPEC]?: S };

/** Call options, and the optional-when-empty argument tuple of an operation. */
export type CallArgs<M, K extends keyof M> = OpArgs<M, K> extends [] ? [args?: [], options?: CallOptions] : [args: OpArgs<M, K>, options?: CallOptions];

/** A client of one server bound to one caller: `await kv.call.get('a')`, `kv.cast.clear()`. */
export interface ServerClient<S> {
  readonly target: ServerRef<S>;
  readonly call: { readonly [K in keyof CallsOf<S>]: (...args: OpArgs<CallsOf<S>, K>) => Promise<OpReply<CallsOf<S>, K>> };
  readonly cast: { readonly [K in keyof CastsOf<S>]: (...args: OpArgs<CastsOf<S>, K>) => void };
  /** The same client with other call options (timeout, signal). */
  withOptions(options: CallOptions): ServerClient<S>;
}

/** A server definition: a process type (spawnable by name) with typed helpers. */
export interface ServerType<S> extends OtpType<ArgsOf<S>> {
  readonly callbacks: ServerCallbacks<S>;
  /** The operations of its handleCall and handleCast maps. */
  readonly ops: { readonly calls: readonly string[]; readonly casts: readonly string[] };
  /** Start a server of this type and wait for its init (see GenServer.start). */
  start(caller: Caller, args: ArgsOf<S>, options?: StartOptions): Promise<ServerPid<S>>;
  /** Start linked to the calling process. */
  startLink(caller: ProcessContext, args: ArgsOf<S>, options?: Omit<StartOptions, 'link'>): Promise<ServerPid<S>>;
  /** Type a target as a server of this type. */
  ref(target: Target): ServerRef<S>;
  /** A typed client of the server at `target` for `caller`. */
  client(caller: Caller, target: Target, options?: CallOptions): ServerClient<S>;
}

export interface DefineServerOptions {
  /** The implementation's version, handed to the next implementation's codeChange. */
  readonly vsn?: string | number;
}
