import type { ProcessContext } from '@sdnode/core';
import { InvalidArgumentError, type Pid } from '@sdnode/wire';
import type { MaybePromise } from '../common/async.js';

/**
 * What happens to the node when a running application exits by itself (Erlang's restart types):
 *
 * | type | the application exits normally | the application exits with any other reason |
 * | --- | --- | --- |
 * | `permanent` | the node stops | the node stops |
 * | `transient` | reported | the node stops |
 * | `temporary` | reported | reported |
 *
 * An application stopped on request (`Application.stop`) never takes the node down.
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * How an application is started: `normal`; or, for a distributed application, `failover` (its
 * previous node went down or gave it up) or `takeover` (it was running on `node`, which stopped it
 * so that this node of better priority runs it).
 */
export type StartType =
  | { readonly kind: 'normal' }
  | { readonly kind: 'failover'; readonly node: string }
  | { readonly kind: 'takeover'; readonly node: string };

/** What the start callback gets. */
export interface ApplicationStartEnv<E> {
  /** The application's master process: start the top supervisor linked to it (`Supervisor.startLink(ctx, ...)`). */
  readonly ctx: ProcessContext;
  readonly name: string;
  /** The environment: the definition's `env` with the node's overrides. */
  readonly env: Readonly<E>;
  readonly startType: StartType;
}

/** The start callback's result: the top supervisor's pid, optionally with a state for prepStop and stop. */
export type ApplicationStartResult<S> = Pid | { readonly pid: Pid; readonly state: S };

export interface ApplicationCallbacks<E extends Record<string, unknown>, S> {
  readonly description?: string;
  readonly vsn?: string;
  /** Applications started (on the same node) before this one, and stopped after it. */
  readonly dependencies?: readonly string[];
  /** The default environment (configuration) of the application. */
  readonly env?: E;
  /** The restart type when none is given at start (default `temporary`, like application:start). */
  readonly restart?: RestartType;
  /** Start the supervision tree; return its top supervisor (linked to `ctx`, or linked by the master afterwards). */
  start(env: ApplicationStartEnv<E>): MaybePromise<ApplicationStartResult<S>>;
  /** Called before the tree is stopped; its result is what stop gets. */
  prepStop?(state: S | undefined): MaybePromise<S | undefined>;
  /** Called after the tree has stopped (clean-up). */
  stop?(state: S | undefined): MaybePromise<void>;
}

/**
 * An application definition: a name and its callbacks. Like a process type, it is code: define it
 * on every node that may run it (the CLI loads a user module's exported `applications`).
 */
export interface ApplicationDefinition<E extends Record<string, unknown> = Record<string, unknown>, S = unknown> {
  readonly $application: true;
  readonly name: string;
  readonly callbacks: ApplicationCallbacks<E, S>;
  readonly dependencies: readonly string[];
  readonly restart: RestartType;
}

const APP_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;
const RESTART_TYPES: ReadonlySet<string> = new Set<RestartType>(['permanent', 'transient', 'temporary']);

export function isRestartType(value: unknown): value is RestartType {
  return typeof value === 'string' && RESTART_TYPES.has(value);
}

/** Define an application (checked here, so a mistake is reported where it is made). */
export function defineApplication<E extends Record<string, unknown>, S = unknown>(
  name: string,
  callbacks: ApplicationCallbacks<E, S>,
): ApplicationDefinition<E, S> {
  if (!APP_NAME.test(name)) throw new InvalidArgumentError('application name', `"${name}" must match ${APP_NAME}`);
  if (typeof callbacks !== 'object' || callbacks === null || typeof callbacks.start !== 'function') {
    throw new InvalidArgumentError('application', `${name}: start is required`);
  }
  for (const f of ['prepStop', 'stop'] as const) {
    if (callbacks[f] !== undefined && typeof callbacks[f] !== 'function') throw new InvalidArgumentError('application', `${name}: ${f} is not a function`);
  }
  const dependencies = callbacks.dependencies ?? [];
  if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === 'string' && APP_NAME.test(d))) {
    throw new InvalidArgumentError('application', `${name}: dependencies must be application names`);
  }
  if (dependencies.includes(name)) throw new InvalidArgumentError('application', `${name} depends on itself`);
  const restart = callbacks.restart ?? 'temporary';
  if (!isRestartType(restart)) throw new InvalidArgumentError('application', `${name}: restart must be permanent, transient or temporary`);
  if (callbacks.env !== undefined && (typeof callbacks.env !== 'object' || callbacks.env === null)) {
    throw new InvalidArgumentError('application', `${name}: env must be an object`);
  }
  return Object.freeze({ $application: true as const, name, callbacks, dependencies: Object.freeze([...dependencies]), restart });
}

export function isApplicationDefinition(value: unknown): value is ApplicationDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ApplicationDefinition>;
  return v.$application === true && typeof v.name === 'string' && typeof v.callbacks?.start === 'function';
}

/** Whether an application that exited with `reason` takes its node down, given its restart type. */
export function takesNodeDown(restart: RestartType, reasonKind: string): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'transient') return reasonKind !== 'normal';
  return false;
}
