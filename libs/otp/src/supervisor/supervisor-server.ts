import { isExitMessage, type ProcessContext } from '@sdnode/core';
import {
  ChildNotFoundError,
  ChildRunningError,
  ExitReasons,
  InvalidArgumentError,
  Pid,
  StartError,
  type ExitReason,
} from '@sdnode/wire';
import type { MaybePromise } from '../common/async.js';
import type { Outcome } from '../common/messages.js';
import type { CallResult, NoReplyResult, ServerCallbacks, ServerEnv } from '../gen-server/types.js';
import { normalizeChildSpec, shouldRestart, type ChildSpec, type NormalChildSpec } from './child-spec.js';
import { shutdownChild, shutdownChildren } from './shutdown.js';
import {
  failureOf,
  startChildProcess,
  SupervisorState,
  type Child,
  type ChildCounts,
  type ChildInfo,
  type SupervisorInit,
} from './supervisor-state.js';

/** The exit reason of a supervisor that gave up (more restarts than its intensity allows). */
export const MAX_RESTART_INTENSITY = ExitReasons.shutdown('reached_max_restart_intensity');

/** The supervisor's own server spec: its calls are the supervisor API. */
export interface SupervisorServerSpec {
  args: unknown[];
  state: SupervisorState;
  calls: {
    startChild(what: ChildSpec | readonly unknown[]): Outcome<Pid | null>;
    terminateChild(which: string | Pid): Outcome<null>;
    restartChild(id: string): Outcome<Pid | null>;
    deleteChild(id: string): Outcome<null>;
    whichChildren(): ChildInfo[];
    countChildren(): ChildCounts;
    getChildSpec(id: string): Outcome<NormalChildSpec>;
  };
}

/** A retry of a failed restart, sent by the supervisor to itself (never leaves the node). */
class RetryRestart {
  constructor(readonly key: string) {}
}

type Env = ServerEnv<SupervisorState>;
type Reply<T> = CallResult<SupervisorState, T, never>;

function label(ctx: ProcessContext): string {
  return ctx.node.processInfo(ctx.self)?.name ?? ctx.self.toString();
}

const ok = <T>(value: T): Outcome<T> => ({ ok: value });
const fail = (error: Error): Outcome<never> => ({ error });

/**
 * Restart `child` and, by the strategy, its group: one_for_one the child alone; one_for_all every
 * child; rest_for_one the child and those started after it. The others of the group are stopped
 * first (reverse start order), then the group is started in order. Returns false when the
 * restart intensity is exceeded (the supervisor must give up).
 */
async function restart(ctx: ProcessContext, st: SupervisorState, child: Child): Promise<boolean> {
  if (!st.intensity.record(performance.now())) return false;
  let group: Child[] = [child];
  if (!st.isDynamic && st.strategy !== 'one_for_one') {
    const from = st.strategy === 'one_for_all' ? 0 : Math.max(0, st.children.indexOf(child));
    group = st.children.slice(from);
    for (const other of [...group].reverse()) {
      if (other === child || other.pid === null) continue;
      await shutdownChild(ctx, other.pid, other.spec.shutdown);
      st.setPid(other, null);
      // Temporary children stopped for a restart are not restarted (Erlang deletes them).
      if (other.spec.restart === 'temporary') st.remove(other);
    }
    group = group.filter((c) => c === child || c.spec.restart !== 'temporary');
  }
  for (let i = 0; i < group.length; i++) {
    const c = group[i]!;
    c.restarting = false;
    const outcome = await startChildProcess(ctx, c);
    if ('ok' in outcome) {
      st.setPid(c, outcome.ok);
      continue;
    }
    if ('ignore' in outcome) continue;
    ctx.log.error({ child: c.spec.id, reason: failureOf(outcome) }, 'child restart failed; retrying');
    for (const rest of group.slice(i)) rest.restarting = true;
    ctx.send(ctx.self, new RetryRestart(c.key));
    break;
  }
  return true;
}

async function onChildExit(ctx: ProcessContext, st: SupervisorState, child: Child, reason: ExitReason): Promise<NoReplyResult<SupervisorState>> {
  st.setPid(child, null);
  if (!shouldRestart(child.spec.restart, reason)) {
    if (child.spec.restart === 'temporary' || st.isDynamic) st.remove(child);
    return { state: st };
  }
  if (reason.kind !== 'normal' && reason.kind !== 'shutdown') {
    ctx.log.warn({ child: child.spec.id, reason }, 'child exited; restarting');
  }
  return (await restart(ctx, st, child)) ? { state: st } : { stop: MAX_RESTART_INTENSITY, state: st };
}

/** Stop every child: static ones one by one in reverse start order, dynamic ones all at once. */
async function stopAll(ctx: ProcessContext, st: SupervisorState): Promise<void> {
  if (st.isDynamic) {
    const pids = [...st.dynamic.values()].flatMap((c) => (c.pid === null ? [] : [c.pid]));
    await shutdownChildren(ctx, pids, st.template!.shutdown);
    for (const c of [...st.dynamic.values()]) st.remove(c);
    return;
  }
  for (const c of [...st.children].reverse()) {
    if (c.pid === null) continue;
    await shutdownChild(ctx, c.pid, c.spec.shutdown);
    st.setPid(c, null);
  }
}

async function startInitial(ctx: ProcessContext, st: SupervisorState, specs: NormalChildSpec[]): Promise<ExitReason | null> {
  const name = label(ctx);
  for (const spec of specs) {
    const child = st.addStatic(spec, name);
    const outcome = await startChildProcess(ctx, child);
    if ('ok' in outcome) st.setPid(child, outcome.ok);
    else if ('error' in outcome) {
      await stopAll(ctx, st);
      return ExitReasons.shutdown({ failedToStartChild: spec.id, reason: outcome.error });
    }
  }
  return null;
}

async function startChild({ ctx, state: st }: Env, what: ChildSpec | readonly unknown[]): Promise<Reply<Outcome<Pid | null>>> {
  const name = label(ctx);
  let child: Child;
  try {
    if (st.isDynamic) {
      if (!Array.isArray(what)) throw new InvalidArgumentError('startChild', 'a simple_one_for_one supervisor takes the extra start arguments (an array)');
      child = st.addDynamic(what);
    } else {
      child = st.addStatic(normalizeChildSpec(what), name);
    }
  } catch (e) {
    return { reply: fail(e as Error), state: st };
  }
  const outcome = await startChildProcess(ctx, child);
  if ('ok' in outcome) {
    st.setPid(child, outcome.ok);
    return { reply: ok(outcome.ok), state: st };
  }
  if ('ignore' in outcome) {
    if (st.isDynamic) st.remove(child);
    return { reply: ok(null), state: st };
  }
  st.remove(child);
  return { reply: fail(new StartError(child.spec.id, outcome.error)), state: st };
}

async function terminateChild({ ctx, state: st }: Env, which: string | Pid): Promise<Reply<Outcome<null>>> {
  const child = which instanceof Pid ? st.findPid(which) : st.isDynamic ? undefined : st.byId(which);
  if (child === undefined) return { reply: fail(new ChildNotFoundError(label(ctx), String(which))), state: st };
  if (child.pid !== null) await shutdownChild(ctx, child.pid, child.spec.shutdown);
  st.setPid(child, null);
  child.restarting = false;
  if (st.isDynamic || child.spec.restart === 'temporary') st.remove(child);
  return { reply: ok(null), state: st };
}

async function restartChild({ ctx, state: st }: Env, id: string): Promise<Reply<Outcome<Pid | null>>> {
  const child = st.isDynamic ? undefined : st.byId(id);
  if (child === undefined) return { reply: fail(new ChildNotFoundError(label(ctx), id)), state: st };
  if (child.pid !== null || child.restarting) return { reply: fail(new ChildRunningError(label(ctx), id)), state: st };
  const outcome = await startChildProcess(ctx, child);
  if ('ok' in outcome) {
    st.setPid(child, outcome.ok);
    return { reply: ok(outcome.ok), state: st };
  }
  if ('ignore' in outcome) return { reply: ok(null), state: st };
  return { reply: fail(new StartError(id, outcome.error)), state: st };
}

function deleteChild({ ctx, state: st }: Env, id: string): Reply<Outcome<null>> {
  const child = st.isDynamic ? undefined : st.byId(id);
  if (child === undefined) return { reply: fail(new ChildNotFoundError(label(ctx), id)), state: st };
  if (child.pid !== null || child.restarting) return { reply: fail(new ChildRunningError(label(ctx), id)), state: st };
  st.remove(child);
  return { reply: ok(null), state: st };
}

/** The GenServer callbacks of every supervisor, around the user's init. */
export function supervisorCallbacks(
  init: (ctx: ProcessContext, ...args: unknown[]) => MaybePromise<SupervisorInit | { readonly ignore: true }>,
): ServerCallbacks<SupervisorServerSpec> {
  return {
    async init(ctx, ...args) {
      ctx.trapExit(true);
      const r = await init(ctx, ...args);
      if (typeof r === 'object' && r !== null && (r as { ignore?: unknown }).ignore === true) return { ignore: true };
      const { state, specs } = SupervisorState.fromInit(r as SupervisorInit);
      const failed = await startInitial(ctx, state, specs);
      return failed === null ? { state } : { stop: failed };
    },
    handleCall: {
      startChild,
      terminateChild,
      restartChild,
      deleteChild,
      whichChildren: ({ state }) => ({ reply: state.which(), state }),
      countChildren: ({ state }) => ({ reply: state.counts(), state }),
      getChildSpec: ({ ctx, state }, id) => {
        const child = state.isDynamic ? (state.template!.id === id ? { spec: state.template! } : undefined) : state.byId(id);
        return { reply: child === undefined ? fail(new ChildNotFoundError(label(ctx), id)) : ok(child.spec), state };
      },
    },
    async handleInfo({ ctx, state: st }, msg) {
      if (isExitMessage(msg)) {
        const child = st.findPid(msg.from);
        if (child !== undefined) return onChildExit(ctx, st, child, msg.reason);
        return { state: st };
      }
      if (msg instanceof RetryRestart) {
        const child = st.byKey(msg.key);
        if (child === undefined || !child.restarting) return { state: st };
        return (await restart(ctx, st, child)) ? { state: st } : { stop: MAX_RESTART_INTENSITY, state: st };
      }
      ctx.log.warn({ msg }, 'supervisor: unexpected message');
      return { state: st };
    },
    async terminate({ ctx, state }) {
      await stopAll(ctx, state);
    },
    formatStatus: (state) => ({
      strategy: state.strategy,
      intensity: state.intensity.intensity,
      period: state.intensity.period,
      children: state.which(),
    }),
  };
}
