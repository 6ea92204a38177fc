import { isExitMessage, type ExitMessage, type ProcessContext } from '@sdnode/core';
import {
  ApplicationDependencyError,
  ApplicationNotRunningError,
  DistributedApplicationError,
  StartError,
  UnknownApplicationError,
  formatExitReason,
  type ExitReason,
  type Pid,
} from '@sdnode/wire';
import type { Outcome } from '../common/messages.js';
import { defineServer } from '../gen-server/define.js';
import type { CallResult, From, NoReplyResult, ServerEnv } from '../gen-server/types.js';
import { ApplicationMaster, isAppStarted, type AppStartedMessage, type MasterArgs } from './application-master.js';
import { takesNodeDown, type ApplicationDefinition, type RestartType, type StartType } from './application-spec.js';

/**
 * The application controller (Erlang's application_controller): one per node, registered as
 * `application_controller`. It knows the node's application definitions, starts each through an
 * application master, and decides what an application's exit means for the node (restart types).
 *
 * It never waits for an application: a start or stop is handed to the master and answered when
 * the master reports (`noreply`, then a reply), so listing and other requests are answered while
 * an application starts. Dependencies are sequenced by the caller (Application.start asks for the
 * plan, then starts one application at a time); the controller refuses to start an application
 * whose dependencies are not running.
 */

export const APPLICATION_CONTROLLER = 'application_controller';

/** One running (or starting, or stopping) application, as `which` lists it. */
export interface ApplicationInfo {
  readonly name: string;
  readonly description: string | null;
  readonly vsn: string | null;
  readonly status: 'starting' | 'running' | 'stopping';
  readonly restart: RestartType;
  readonly startType: StartType;
  readonly distributed: boolean;
}

/** A defined (loaded) application. */
export interface LoadedApplication {
  readonly name: string;
  readonly description: string | null;
  readonly vsn: string | null;
  readonly dependencies: readonly string[];
  /** The restart type it starts with when none is given. */
  readonly restart: RestartType;
  readonly distributed: boolean;
}

/** What subscribers (the distributed application controller) get when an application ends by itself. */
export interface AppExitedMessage {
  readonly $appExited: string;
  readonly reason: ExitReason;
  /** Its restart type makes the node stop. */
  readonly nodeGoesDown: boolean;
}

export function isAppExited(msg: unknown): msg is AppExitedMessage {
  return typeof msg === 'object' && msg !== null && typeof (msg as { $appExited?: unknown }).$appExited === 'string';
}

export interface StartRequest {
  readonly restart: RestartType;
  readonly startType: StartType;
  /** Set by the distributed application controller: only it starts distributed applications. */
  readonly distributed: boolean;
}

interface Entry {
  readonly name: string;
  readonly definition: ApplicationDefinition;
  readonly request: StartRequest;
  readonly master: Pid;
  status: 'starting' | 'running' | 'stopping';
  readonly waiters: From<Outcome<'started' | 'already_started' | null>>[];
}

export interface ControllerOptions {
  readonly applications: readonly ApplicationDefinition[];
  /** Per application: environment values that replace the definition's. */
  readonly env: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly stopTimeout: number;
}

class ControllerState {
  readonly defs = new Map<string, { definition: ApplicationDefinition; env: Readonly<Record<string, unknown>> }>();
  /** In start order. */
  readonly running = new Map<string, Entry>();
  readonly distributed = new Set<string>();
  readonly subscribers = new Set<string>();
  readonly subscriberPids: Pid[] = [];

  constructor(readonly options: ControllerOptions) {
    for (const d of options.applications) this.load(d, undefined);
  }

  load(definition: ApplicationDefinition, env: Readonly<Record<string, unknown>> | undefined): void {
    const overrides = env ?? this.options.env[definition.name] ?? {};
    this.defs.set(definition.name, { definition, env: Object.freeze({ ...(definition.callbacks.env ?? {}), ...overrides }) });
  }

  def(name: string, node: string): { definition: ApplicationDefinition; env: Readonly<Record<string, unknown>> } {
    const d = this.defs.get(name);
    if (d === undefined) throw new UnknownApplicationError(name, node);
    return d;
  }

  /** `name` and its dependencies, dependencies first, each once; throws on a missing one or a cycle. */
  closure(name: string, node: string): string[] {
    const out: string[] = [];
    const visit = (n: string, path: string[]): void => {
      if (out.includes(n)) return;
      if (path.includes(n)) throw new ApplicationDependencyError(name, 'dependency cycle', [...path, n]);
      const d = this.defs.get(n);
      if (d === undefined) {
        if (n === name) throw new UnknownApplicationError(n, node);
        throw new ApplicationDependencyError(name, `dependency ${n} is not defined on ${node}`, [...path, n]);
      }
      for (const dep of d.definition.dependencies) visit(dep, [...path, n]);
      out.push(n);
    };
    visit(name, []);
    return out;
  }

  /** The running applications that depend on `name`, directly or not, last started first, then `name`. */
  dependents(name: string): string[] {
    const hit = new Set([name]);
    for (const [n, e] of this.running) if (e.definition.dependencies.some((d) => hit.has(d))) hit.add(n);
    return [...this.running.keys()].filter((n) => hit.has(n)).reverse();
  }
}

interface ControllerSpec {
  args: [options: ControllerOptions];
  state: ControllerState;
  calls: {
    load(definition: ApplicationDefinition, env?: Readonly<Record<string, unknown>>): Outcome<null>;
    plan(name: string): Outcome<string[]>;
    startOne(name: string, request: StartRequest): Outcome<'started' | 'already_started' | null>;
    stopPlan(name: string): Outcome<string[]>;
    stopOne(name: string): Outcome<'started' | 'already_started' | null>;
    which(): ApplicationInfo[];
    loaded(): LoadedApplication[];
    getEnv(name: string): Outcome<Readonly<Record<string, unknown>>>;
    setDistributed(names: readonly string[]): null;
    subscribe(pid: Pid): null;
  };
  info: AppStartedMessage | ExitMessage;
}

type Env = ServerEnv<ControllerState>;
type Result<R> = CallResult<ControllerState, R>;

function failed(e: unknown): { error: Error } {
  return { error: e instanceof Error ? e : new Error(String(e)) };
}

function reply<R>(state: ControllerState, value: R): Result<R> {
  return { reply: value, state };
}

function startOne(env: Env & { from: From<Outcome<'started' | 'already_started' | null>> }, name: string, request: StartRequest): Result<Outcome<'started' | 'already_started' | null>> {
  const { ctx, state } = env;
  const node = ctx.node.name;
  try {
    const { definition, env: appEnv } = state.def(name, node);
    if (state.distributed.has(name) && !request.distributed) throw new DistributedApplicationError(name, 'it is started by the distributed application controller');
    const entry = state.running.get(name);
    if (entry !== undefined) {
      if (entry.status === 'running') return reply(state, { ok: 'already_started' });
      if (entry.status === 'stopping') throw new StartError(name, 'the application is stopping');
      entry.waiters.push(env.from);
      return { noreply: true, state };
    }
    const missing = definition.dependencies.find((d) => state.running.get(d)?.status !== 'running');
    if (missing !== undefined) throw new ApplicationDependencyError(name, `dependency ${missing} is not running`, [name, missing]);
    const args: MasterArgs = { definition, env: appEnv, startType: request.startType, controller: ctx.self, stopTimeout: state.options.stopTimeout };
    const master = ctx.spawnLink(ApplicationMaster, args);
    state.running.set(name, { name, definition, request, master, status: 'starting', waiters: [env.from] });
    return { noreply: true, state };
  } catch (e) {
    return reply(state, failed(e));
  }
}

function stopOne(env: Env & { from: From<Outcome<'started' | 'already_started' | null>> }, name: string): Result<Outcome<'started' | 'already_started' | null>> {
  const { ctx, state } = env;
  const entry = state.running.get(name);
  if (entry === undefined || entry.status === 'starting') return reply(state, { error: new ApplicationNotRunningError(name, ctx.node.name) });
  entry.waiters.push(env.from);
  if (entry.status === 'running') {
    entry.status = 'stopping';
    ctx.send(entry.master, { $appStop: name });
  }
  return { noreply: true, state };
}

function answer(ctx: ProcessContext, entry: Entry, outcome: Outcome<'started' | 'already_started' | null>): void {
  for (const w of entry.waiters.splice(0)) ctx.reply(w, outcome);
}

/** A master exited: the start failed, the stop completed, or the application ended by itself. */
function masterExited(env: Env, msg: ExitMessage): NoReplyResult<ControllerState> {
  const { ctx, state } = env;
  const entry = [...state.running.values()].find((e) => e.master.equals(msg.from));
  if (entry === undefined) return { state };
  state.running.delete(entry.name);
  if (entry.status === 'starting') {
    answer(ctx, entry, { error: new StartError(entry.name, msg.reason) });
  } else if (entry.status === 'stopping') {
    ctx.log.info({ application: entry.name }, 'application stopped');
    answer(ctx, entry, { ok: null });
  } else {
    const goesDown = takesNodeDown(entry.request.restart, msg.reason.kind);
    const text = `application ${entry.name} (${entry.request.restart}) exited: ${formatExitReason(msg.reason)}`;
    if (goesDown) ctx.log.error({ application: entry.name, reason: msg.reason }, `${text}; stopping the node`);
    else ctx.log.warn({ application: entry.name, reason: msg.reason }, text);
    const note: AppExitedMessage = { $appExited: entry.name, reason: msg.reason, nodeGoesDown: goesDown };
    for (const pid of state.subscriberPids) ctx.send(pid, note);
    if (goesDown) void ctx.node.stop({ reason: text });
  }
  return { state };
}

function info(state: ControllerState, e: Entry): ApplicationInfo {
  const cb = e.definition.callbacks;
  return {
    name: e.name,
    description: cb.description ?? null,
    vsn: cb.vsn ?? null,
    status: e.status,
    restart: e.request.restart,
    startType: e.request.startType,
    distributed: state.distributed.has(e.name),
  };
}

export const ApplicationControllerType = defineServer<ControllerSpec>('sdnode.otp.application_controller', {
  init(ctx, options) {
    ctx.trapExit(true);
    return { state: new ControllerState(options) };
  },
  handleCall: {
    load: ({ state }, definition, env) => {
      if (state.running.has(definition.name)) return reply(state, { error: new StartError(definition.name, 'cannot load a running application') });
      state.load(definition, env);
      return reply(state, { ok: null });
    },
    plan: ({ ctx, state }, name) => {
      try {
        return reply(state, { ok: state.closure(name, ctx.node.name).filter((n) => state.running.get(n)?.status !== 'running') });
      } catch (e) {
        return reply(state, failed(e));
      }
    },
    startOne: (env, name, request) => startOne(env, name, request),
    stopPlan: ({ ctx, state }, name) => {
      if (!state.running.has(name)) return reply(state, { error: new ApplicationNotRunningError(name, ctx.node.name) });
      return reply(state, { ok: state.dependents(name) });
    },
    stopOne: (env, name) => stopOne(env, name),
    which: ({ state }) => reply(state, [...state.running.values()].map((e) => info(state, e))),
    loaded: ({ state }) =>
      reply(
        state,
        [...state.defs.values()].map(({ definition: d }) => ({
          name: d.name,
          description: d.callbacks.description ?? null,
          vsn: d.callbacks.vsn ?? null,
          dependencies: d.dependencies,
          restart: d.restart,
          distributed: state.distributed.has(d.name),
        })),
      ),
    getEnv: ({ ctx, state }, name) => {
      try {
        return reply(state, { ok: state.def(name, ctx.node.name).env });
      } catch (e) {
        return reply(state, failed(e));
      }
    },
    setDistributed: ({ state }, names) => {
      for (const n of names) state.distributed.add(n);
      return reply(state, null);
    },
    subscribe: ({ state }, pid) => {
      if (!state.subscribers.has(pid.key)) {
        state.subscribers.add(pid.key);
        state.subscriberPids.push(pid);
      }
      return reply(state, null);
    },
  },
  handleInfo(env, msg) {
    const { ctx, state } = env;
    if (isAppStarted(msg)) {
      const entry = state.running.get(msg.$appStarted);
      if (entry !== undefined && entry.status === 'starting' && entry.master.equals(msg.master)) {
        entry.status = 'running';
        ctx.log.info({ application: entry.name, startType: entry.request.startType }, 'application started');
        answer(ctx, entry, { ok: 'started' });
      }
      return { state };
    }
    if (isExitMessage(msg)) return masterExited(env, msg);
    return { state };
  },
  terminate({ ctx }, reason) {
    // Erlang's node goes down with its application controller: so does this one (unless it is stopping anyway).
    if (reason.kind !== 'normal' && reason.kind !== 'shutdown') void ctx.node.stop({ reason: `application controller exited: ${formatExitReason(reason)}` });
  },
});
