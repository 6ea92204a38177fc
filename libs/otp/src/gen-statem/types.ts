import type { ProcessContext } from '@sdnode/core';
import type { ExitReason, Pid } from '@sdnode/wire';
import type { MaybePromise } from '../common/async.js';
import type { Caller } from '../common/caller.js';
import type { OtpType } from '../common/otp-type.js';
import type { StartOptions } from '../common/start.js';
import type { From } from '../gen-server/types.js';

/**
 * The type of a state machine: init's arguments, its states and its data.
 *
 * ```ts
 * interface DoorSpec { args: [code: string]; state: 'locked' | 'open'; data: { code: string; typed: string } }
 * ```
 */
export interface StatemSpec {
  readonly args?: unknown[];
  readonly state?: unknown;
  readonly data?: unknown;
}

export type StatemArgs<S> = S extends { args: infer A extends unknown[] } ? A : [];
export type StatemStateOf<S> = S extends { state: infer T } ? T : unknown;
export type StatemDataOf<S> = S extends { data: infer D } ? D : undefined;

/** What a state machine handles: every event has a type and, except enter, a content. */
export type StatemEvent<St = unknown> =
  | { readonly type: 'call'; readonly from: From<unknown>; readonly content: unknown }
  | { readonly type: 'cast'; readonly content: unknown }
  | { readonly type: 'info'; readonly content: unknown }
  /** The event timeout expired (no event arrived in time). */
  | { readonly type: 'timeout'; readonly content: unknown }
  /** The state timeout expired (the state did not change in time). */
  | { readonly type: 'state_timeout'; readonly content: unknown }
  | { readonly type: 'generic_timeout'; readonly name: string; readonly content: unknown }
  /** Inserted by a `nextEvent` action. */
  | { readonly type: 'internal'; readonly content: unknown }
  /** The state was just entered (only with `stateEnter: true`). */
  | { readonly type: 'enter'; readonly oldState: St };

export type EventType = StatemEvent['type'];

/**
 * Transition actions, carried out in order after the callback returns:
 * - `'postpone'`: keep this event; it is retried after the next state change;
 * - `{ reply, value }`: answer a call;
 * - `{ timeout: ms }`: an event timeout, cancelled by any event (Infinity: cancel);
 * - `{ stateTimeout: ms }`: cancelled by a state change; a new one replaces it (Infinity: cancel);
 * - `{ genericTimeout: name, ms }`: a named timeout, replaced only by one of the same name;
 * - `{ nextEvent: content, type? }`: handle this event next, before any message (default internal).
 */
export type Action =
  | 'postpone'
  | { readonly reply: From<unknown>; readonly value: unknown }
  | { readonly timeout: number; readonly content?: unknown }
  | { readonly stateTimeout: number; readonly content?: unknown }
  | { readonly genericTimeout: string; readonly ms: number; readonly content?: unknown }
  | { readonly nextEvent: unknown; readonly type?: 'internal' | 'cast' | 'info' };

/**
 * What a state callback returns: go to `next` state; `keep` the state; `repeat` it (keep, and run
 * the enter call again); or `stop`. `data` replaces the data when present. `'keep'` alone keeps
 * state and data.
 */
export type Transition<St, D> =
  | { readonly next: St; readonly data?: D; readonly actions?: readonly Action[] }
  | { readonly keep: true; readonly data?: D; readonly actions?: readonly Action[] }
  | { readonly repeat: true; readonly data?: D; readonly actions?: readonly Action[] }
  | { readonly stop: ExitReason; readonly data?: D; readonly actions?: readonly Action[] }
  | 'keep';

export type StatemInitResult<St, D> =
  | { readonly state: St; readonly data: D; readonly actions?: readonly Action[] }
  | { readonly stop: ExitReason }
  | { readonly ignore: true };

export interface StatemEnv<St, D> {
  readonly ctx: ProcessContext;
  readonly state: St;
  readonly data: D;
}

/** A state callback: `Cur` is the state it runs in, `All` every state (what `next` may name). */
export type StateFunction<Cur, D, All = Cur> = (env: StatemEnv<Cur, D>, event: StatemEvent<All>) => MaybePromise<Transition<All, D>>;

interface StatemBase<S> {
  init(ctx: ProcessContext, ...args: StatemArgs<S>): MaybePromise<StatemInitResult<StatemStateOf<S>, StatemDataOf<S>>>;
  /** Run the callback with an `enter` event every time the state changes (and at init). */
  readonly stateEnter?: boolean;
  terminate?(env: StatemEnv<StatemStateOf<S>, StatemDataOf<S>>, reason: ExitReason): void | Promise<void>;
  /** Called on the new implementation by Sys.changeCode. Default: state and data kept. */
  codeChange?(
    env: StatemEnv<unknown, unknown>,
    oldVsn: string | number | undefined,
    extra: unknown,
  ): MaybePromise<{ readonly state: StatemStateOf<S>; readonly data: StatemDataOf<S> } | { readonly error: unknown }>;
}

/** State-functions mode: one function per state (states are strings). */
export interface StateFunctionsCallbacks<S> extends StatemBase<S> {
  readonly states: { readonly [K in StatemStateOf<S> & string]: StateFunction<K, StatemDataOf<S>, StatemStateOf<S>> };
  readonly handleEvent?: never;
}

/** Handle-event mode: one function for every state (states are any serialisable term). */
export interface HandleEventCallbacks<S> extends StatemBase<S> {
  readonly handleEvent: StateFunction<StatemStateOf<S>, StatemDataOf<S>>;
  readonly states?: never;
}


export type StatemCallbacks<S> = StateFunctionsCallbacks<S> | HandleEventCallbacks<S>;

export interface StatemType<S> extends OtpType<StatemArgs<S>> {
  readonly callbacks: StatemCallbacks<S>;
  start(caller: Caller, args: StatemArgs<S>, options?: StartOptions): Promise<Pid>;
  startLink(caller: ProcessContext, args: StatemArgs<S>, options?: Omit<StartOptions, 'link'>): Promise<Pid>;
}

export interface DefineStatemOptions {
  readonly vsn?: string | number;
}
