import type { CallOptions, Node, RpcFunction } from '@sdnode/core';
import { InvalidArgumentError, type Pid } from '@sdnode/wire';
import { callFrom, type Caller } from '../common/caller.js';
import { unwrap } from '../common/messages.js';
import { startProcess } from '../common/start.js';
import {
  APPLICATION_CONTROLLER,
  ApplicationControllerType,
  type ApplicationInfo,
  type LoadedApplication,
  type StartRequest,
} from './application-controller.js';
import { defineApplication, isRestartType, type ApplicationDefinition, type RestartType, type StartType } from './application-spec.js';

/**
 * Applications (Erlang's application module): a named supervision tree with dependencies, an
 * environment and a restart type, started and stopped as a unit by the node's application
 * controller. See docs/behaviours/application.md.
 *
 * | API | callback / effect |
 * | --- | --- |
 * | `define(name, { start, ... })` | |
 * | `startController(node, { applications })` | the node's controller; stops every application when the node stops |
 * | `start(caller, name, { restart })` | dependencies first, then `start` (in the application master) |
 * | `stop(caller, name)` | dependents first; `prepStop`, the tree stops top-down, `stop` |
 * | an application exits by itself | by its restart type: the node stops, or it is reported |
 * | `which`, `loaded`, `getEnv`, `load` | introspection and loading |
 */

/** Starting and stopping applications takes time: their calls default to 60 s. */
export const APPLICATION_CALL_TIMEOUT = 60_000;

export interface ControllerStartOptions {
  /** The node's application definitions. */
  readonly applications?: readonly ApplicationDefinition[];
  /** Environment overrides per application (`{ billing: { currency: 'EUR' } }`). */
  readonly env?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** How long an application's tree may take to stop before it is killed (default 60000 ms). */
  readonly stopTimeout?: number;
  /** Budget of the node's shutdown hook that stops every application (default 120000 ms). */
  readonly shutdownTimeout?: number;
}

export interface ApplicationStartOptions extends CallOptions {
  /** Default: the definition's `restart` (itself `temporary` by default). */
  readonly restart?: RestartType;
}

async function request<T>(caller: Caller, op: string, args: unknown[], options?: CallOptions): Promise<T> {
  return unwrap<T>(await callFrom(caller, APPLICATION_CONTROLLER, { op, args }, { timeout: APPLICATION_CALL_TIMEOUT, ...options }));
}

/** @internal Start `name` and the dependencies it needs, one at a time (also used by the distributed controller). */
export async function startApplication(caller: Caller, name: string, how: { restart?: RestartType; startType: StartType; distributed: boolean }, options?: CallOptions): Promise<void> {
  if (how.restart !== undefined && !isRestartType(how.restart)) throw new InvalidArgumentError('restart', `"${String(how.restart)}" is not permanent, transient or temporary`);
  const plan = await request<string[]>(caller, 'plan', [name], options);
  const loaded = await request<LoadedApplication[]>(caller, 'loaded', [], options);
  const restartOf = (n: string): RestartType => how.restart ?? loaded.find((l) => l.name === n)?.restart ?? 'temporary';
  for (const n of plan) {
    const req: StartRequest = {
      restart: restartOf(n),
      startType: n === name ? how.startType : { kind: 'normal' },
      distributed: n === name ? how.distributed : false,
    };
    await request(caller, 'startOne', [n, req], options);
  }
}

/** @internal The distributed application controller gets `AppExitedMessage`s at `pid`. */
export async function subscribeToExits(caller: Caller, pid: Pid, options?: CallOptions): Promise<void> {
  await request(caller, 'subscribe', [pid], options);
}

/** @internal These applications are started and stopped by the distributed application controller only. */
export async function markDistributed(caller: Caller, names: readonly string[], options?: CallOptions): Promise<void> {
  await request(caller, 'setDistributed', [names], options);
}

export const Application = {
  define: defineApplication,

  /**
   * Start the node's application controller (registered as `application_controller`), make the
   * node stop every application (last started first) when it stops, and register the rpc
   * built-ins `sdnode.applications.which | loaded | start | stop` for tools.
   */
  async startController(node: Node, options: ControllerStartOptions = {}): Promise<Pid> {
    const pid = await startProcess(node, ApplicationControllerType, [
      { applications: options.applications ?? [], env: options.env ?? {}, stopTimeout: options.stopTimeout ?? 60_000 },
    ], { name: APPLICATION_CONTROLLER });
    const budget = options.shutdownTimeout ?? 120_000;
    node.addShutdownHook('application_controller', () => Application.stopAll(node, { timeout: budget }), { timeout: budget });
    for (const [fn, impl] of Object.entries(applicationFunctions(node))) node.registerFunction(fn, impl);
    return pid;
  },

  /** Add (or replace) a definition on the caller's node; `env` replaces its environment. */
  load(caller: Caller, definition: ApplicationDefinition, env?: Readonly<Record<string, unknown>>, options?: CallOptions): Promise<void> {
    return request<void>(caller, 'load', [definition, env], options);
  },

  /**
   * Start an application and, first, every dependency that is not running (each with the same
   * restart type when one is given, else its own). Resolves once all have started; rejects with
   * UnknownApplicationError, ApplicationDependencyError, StartError (the start callback failed),
   * DistributedApplicationError (distributed applications are started by their controller).
   */
  start(caller: Caller, name: string, options: ApplicationStartOptions = {}): Promise<void> {
    const { restart, ...call } = options;
    return startApplication(caller, name, { ...(restart !== undefined ? { restart } : {}), startType: { kind: 'normal' }, distributed: false }, call);
  },

  /**
   * Stop an application: first the running applications that depend on it (last started first),
   * then it. Each stops top-down (prepStop, its tree, stop). ApplicationNotRunningError.
   */
  async stop(caller: Caller, name: string, options?: CallOptions): Promise<void> {
    const plan = await request<string[]>(caller, 'stopPlan', [name], options);
    for (const n of plan) await stopOne(caller, n, options);
  },

  /** Stop every application, last started first (what the node does when it stops). */
  async stopAll(caller: Caller, options?: CallOptions): Promise<void> {
    const running = await Application.which(caller, options);
    for (const app of [...running].reverse()) await stopOne(caller, app.name, options);
  },

  /** The running applications, in start order (Erlang's which_applications). */
  which(caller: Caller, options?: CallOptions): Promise<ApplicationInfo[]> {
    return request<ApplicationInfo[]>(caller, 'which', [], options);
  },

  /** Every defined application (Erlang's loaded_applications). */
  loaded(caller: Caller, options?: CallOptions): Promise<LoadedApplication[]> {
    return request<LoadedApplication[]>(caller, 'loaded', [], options);
  },

  /** An application's environment: its definition's `env` with the node's overrides. */
  getEnv<E extends Record<string, unknown> = Record<string, unknown>>(caller: Caller, name: string, options?: CallOptions): Promise<Readonly<E>> {
    return request<Readonly<E>>(caller, 'getEnv', [name], options);
  },
} as const;

async function stopOne(caller: Caller, name: string, options?: CallOptions): Promise<void> {
  try {
    await request(caller, 'stopOne', [name], options);
  } catch (e) {
    // Gone meanwhile (it exited by itself, or another stop got there first): stopped is stopped.
    if ((e as { code?: unknown }).code !== 'EAPPNOTRUNNING') throw e;
  }
}

/** The rpc built-ins of a node's application controller, for tools (`sdnode` CLI, the harness). */
export function applicationFunctions(node: Node): Record<string, RpcFunction> {
  return {
    'sdnode.applications.which': () => Application.which(node),
    'sdnode.applications.loaded': () => Application.loaded(node),
    'sdnode.applications.start': (name: unknown, restart?: unknown) => {
      if (typeof name !== 'string') throw new InvalidArgumentError('name', 'an application name');
      if (restart !== undefined && !isRestartType(restart)) throw new InvalidArgumentError('restart', 'permanent, transient or temporary');
      return Application.start(node, name, restart !== undefined ? { restart } : {});
    },
    'sdnode.applications.stop': (name: unknown) => {
      if (typeof name !== 'string') throw new InvalidArgumentError('name', 'an application name');
      return Application.stop(node, name);
    },
  };
}
