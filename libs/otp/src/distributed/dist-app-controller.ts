import type { NodeEventInfo, ProcessContext, TimerRef } from '@sdnode/core';
import { ApplicationNotRunningError, errorInfo, formatExitReason } from '@sdnode/wire';
import { isAppExited, type AppExitedMessage } from '../application/application-controller.js';
import { Application, markDistributed, startApplication, subscribeToExits } from '../application/application.js';
import { defineServer } from '../gen-server/define.js';
import type { From, NoReplyResult, ServerEnv } from '../gen-server/types.js';
import { DistAppMachine } from './dist-app-machine.js';
import { DIST_APP_CHANNEL, parseDistAppMessage, type DistAppSpec, type Effect, type MachineEvent, type MachineSnapshot } from './dist-app-types.js';

/**
 * The distributed application controller (Erlang's dist_ac): one per node, registered as
 * `dist_app_controller`. It runs one DistAppMachine per distributed application this node is a
 * candidate for, and is their driver: node events, CONTROL messages on `sdnode.dist_app`, timers,
 * and the local application controller's reports come in as messages of this process, in order;
 * the machines' effects go out (CONTROL frames, timers, starting and stopping the local instance).
 * Starts and stops run in helper processes, so the controller never waits. The protocol is in
 * docs/protocols/distributed-applications.md.
 */

export const DIST_APP_CONTROLLER = 'dist_app_controller';

/** What the controller's own process receives (besides calls). */
type Inbound =
  | { readonly $dac: 'nodeup' | 'nodedown'; readonly peer: string; readonly hidden: boolean }
  | { readonly $dac: 'control'; readonly from: string; readonly body: unknown }
  | { readonly $dac: 'timer'; readonly app: string; readonly timer: number }
  | { readonly $dac: 'done'; readonly app: string; readonly what: 'started' | 'start_failed' | 'stopped' }
  | { readonly $dac: 'handover_timeout' }
  | AppExitedMessage;

function isInbound(msg: unknown): msg is Inbound {
  return typeof msg === 'object' && msg !== null && (typeof (msg as { $dac?: unknown }).$dac === 'string' || isAppExited(msg));
}

interface Driven {
  readonly machine: DistAppMachine;
  timer: { id: number; ref: TimerRef } | null;
}

class DacState {
  readonly apps = new Map<string, Driven>();
  readonly shutdownWaiters: From<null>[] = [];
  handoverTimer: TimerRef | null = null;
  detach: () => void = () => undefined;

  constructor(readonly options: DacOptions) {}
}

export interface DacOptions {
  /** The cluster's distributed applications (those this node is not a candidate for are ignored). */
  readonly applications: readonly DistAppSpec[];
  /**
   * At shutdown, after its instances stopped: how long to wait for the other candidates to
   * acknowledge that this node gave its applications up, before the node goes (they would then
   * learn it from nodedown, and wait for the failover timeout).
   */
  readonly handoverTimeout: number;
}

interface DacSpec {
  args: [options: DacOptions];
  state: DacState;
  calls: { info(): MachineSnapshot[]; shutdown(): null };
  info: Inbound;
}

type Env = ServerEnv<DacState>;

function feed(ctx: ProcessContext, state: DacState, app: string, event: MachineEvent): void {
  const d = state.apps.get(app);
  if (d === undefined) return;
  for (const effect of d.machine.handle(event)) apply(ctx, d, effect);
  answerShutdown(ctx, state, false);
}

/**
 * Answer the shutdown request once every application is handed over: its instance stopped and
 * every connected candidate acknowledged. The acknowledgements get `handoverTimeout` (from the
 * moment the last instance stopped); then the node goes anyway.
 */
function answerShutdown(ctx: ProcessContext, state: DacState, timeUp: boolean): void {
  if (state.shutdownWaiters.length === 0) return;
  const apps = [...state.apps.values()];
  if (!timeUp && !apps.every((x) => x.machine.handedOver)) {
    if (state.handoverTimer === null && apps.every((x) => !x.machine.hasInstance)) {
      state.handoverTimer = ctx.sendAfter(state.options.handoverTimeout, ctx.self, { $dac: 'handover_timeout' } satisfies Inbound);
    }
    return;
  }
  if (state.handoverTimer !== null) ctx.cancelTimer(state.handoverTimer);
  state.handoverTimer = null;
  for (const w of state.shutdownWaiters.splice(0)) ctx.reply(w, null);
}

function feedAll(ctx: ProcessContext, state: DacState, event: MachineEvent): void {
  for (const app of state.apps.keys()) feed(ctx, state, app, event);
}

function apply(ctx: ProcessContext, d: Driven, effect: Effect): void {
  const app = d.machine.spec.name;
  switch (effect.type) {
    case 'send':
      // Only on the current connection: a frame to a node that is not up would be held for the
      // next connection, and arrive there as if it were news (the peer gets our hello then anyway).
      if (!ctx.node.nodes({ all: true }).includes(effect.to) || !ctx.node.control.send(effect.to, DIST_APP_CHANNEL, effect.message)) {
        ctx.log.info({ application: app, to: effect.to }, 'distributed application message not sent (no connection)');
      }
      return;
    case 'arm_timer': {
      if (d.timer !== null) ctx.cancelTimer(d.timer.ref);
      const ref = ctx.sendAfter(effect.ms, ctx.self, { $dac: 'timer', app, timer: effect.timer } satisfies Inbound);
      d.timer = { id: effect.timer, ref };
      return;
    }
    case 'cancel_timer':
      if (d.timer !== null && d.timer.id === effect.timer) {
        ctx.cancelTimer(d.timer.ref);
        d.timer = null;
      }
      return;
    case 'start': {
      ctx.log.info({ application: app, startType: effect.startType }, 'starting distributed application here');
      const dac = ctx.self;
      ctx.spawnFn(async (h) => {
        let what: 'started' | 'start_failed' = 'started';
        try {
          await startApplication(h, app, { startType: effect.startType, distributed: true });
        } catch (e) {
          what = 'start_failed';
          h.log.error({ application: app, err: errorInfo(e) }, 'distributed application failed to start here');
        }
        h.send(dac, { $dac: 'done', app, what } satisfies Inbound);
      });
      return;
    }
    case 'stop': {
      ctx.log.info({ application: app, why: effect.why }, 'stopping distributed application here');
      const dac = ctx.self;
      ctx.spawnFn(async (h) => {
        try {
          await Application.stop(h, app);
        } catch (e) {
          if (!(e instanceof ApplicationNotRunningError)) h.log.error({ application: app, err: errorInfo(e) }, 'stopping the distributed application failed');
        }
        h.send(dac, { $dac: 'done', app, what: 'stopped' } satisfies Inbound);
      });
      return;
    }
  }
}

function onInbound(env: Env, msg: Inbound): NoReplyResult<DacState> {
  const { ctx, state } = env;
  if ('$appExited' in msg) {
    // The instance ended by itself (if the node goes down too, the application is given up all the same).
    feed(ctx, state, msg.$appExited, { type: 'exited' });
    return { state };
  }
  switch (msg.$dac) {
    case 'nodeup':
    case 'nodedown':
      if (!msg.hidden) feedAll(ctx, state, { type: msg.$dac, peer: msg.peer });
      break;
    case 'control': {
      const m = parseDistAppMessage(msg.body);
      if (m === null) {
        ctx.log.warn({ from: msg.from }, 'malformed distributed application message dropped');
        break;
      }
      if (!state.apps.has(m.app)) {
        // Not a candidate here (or not configured): say so, so that the sender does not wait for us.
        if (m.kind === 'status' && m.hello && ctx.node.nodes({ all: true }).includes(msg.from)) {
          ctx.node.control.send(msg.from, DIST_APP_CHANNEL, { ...m, instance: false, eligible: false, hello: false });
        }
        break;
      }
      feed(ctx, state, m.app, m.kind === 'status' ? { type: 'status', from: msg.from, instance: m.instance, eligible: m.eligible, hello: m.hello } : { type: 'takeover', from: msg.from });
      break;
    }
    case 'timer': {
      const d = state.apps.get(msg.app);
      if (d?.timer?.id === msg.timer) d.timer = null;
      feed(ctx, state, msg.app, { type: 'timeout', timer: msg.timer });
      break;
    }
    case 'done':
      feed(ctx, state, msg.app, { type: msg.what });
      break;
    case 'handover_timeout':
      state.handoverTimer = null;
      answerShutdown(ctx, state, true);
      break;
  }
  return { state };
}

export const DistAppControllerType = defineServer<DacSpec>('sdnode.otp.dist_app_controller', {
  async init(ctx, options) {
    const state = new DacState(options);
    const self = ctx.node.name;
    for (const spec of options.applications) {
      if (spec.nodes.some((level) => level.includes(self))) state.apps.set(spec.name, { machine: new DistAppMachine(spec, self), timer: null });
    }
    await subscribeToExits(ctx, ctx.self);
    await markDistributed(ctx, [...state.apps.keys()]);
    const node = ctx.node;
    const me = ctx.self;
    // Also while the node stops (its shutdown hook waits for the other candidates' answers).
    const forward = (msg: Inbound): void => {
      try {
        node.send(me, msg);
      } catch (e) {
        ctx.log.debug({ err: errorInfo(e) }, 'distributed application controller gone');
      }
    };
    const up = (peer: string, info: NodeEventInfo): void => forward({ $dac: 'nodeup', peer, hidden: info.hidden });
    const down = (peer: string, info: NodeEventInfo): void => forward({ $dac: 'nodedown', peer, hidden: info.hidden });
    node.on('nodeup', up);
    node.on('nodedown', down);
    node.control.on(DIST_APP_CHANNEL, (from, body) => forward({ $dac: 'control', from: from.name, body }));
    state.detach = () => {
      node.off('nodeup', up);
      node.off('nodedown', down);
      node.control.on(DIST_APP_CHANNEL, () => undefined);
    };
    // Nodes connected before the listeners were installed (their nodeup events are gone), then the
    // first decision: with them known, nothing starts before their statuses are in.
    for (const peer of node.nodes({ all: true })) feedAll(ctx, state, { type: 'nodeup', peer });
    feedAll(ctx, state, { type: 'init' });
    return { state };
  },
  handleCall: {
    info: ({ state }) => ({ reply: [...state.apps.values()].map((d) => d.machine.snapshot()), state }),
    shutdown: ({ ctx, state, from }) => {
      state.shutdownWaiters.push(from);
      feedAll(ctx, state, { type: 'shutdown' });
      answerShutdown(ctx, state, false);
      return { noreply: true, state };
    },
  },
  handleInfo(env, msg) {
    if (isInbound(msg)) return onInbound(env, msg);
    return { state: env.state };
  },
  terminate({ ctx, state }, reason) {
    state.detach();
    // Without its controller the node could run an application another node runs too: it goes down (as Erlang's kernel would).
    if (reason.kind !== 'normal' && reason.kind !== 'shutdown') void ctx.node.stop({ reason: `distributed application controller exited: ${formatExitReason(reason)}` });
  },
});
