import { defineProcess, type Node, type ProcessContext } from '@sdnode/core';
import type { ExitReason, Pid } from '@sdnode/wire';
import { GenServer } from '../gen-server/gen-server.js';

/** What the test children report to their log process. */
export type Event = { started: string; pid: Pid } | { stopped: string; reason: ExitReason['kind'] };

/**
 * A worker that reports its start and stop to `log` (a pid). Traps exits, so that its terminate
 * runs on shutdown, as an Erlang worker that must clean up would.
 */
export const Worker = GenServer.define<{
  args: [id: string, log: Pid];
  state: { id: string; log: Pid };
  calls: { ping(): string };
  casts: { crash(): void; quit(): void };
}>('test.worker', {
  init(ctx, id, log) {
    ctx.trapExit(true);
    ctx.send(log, { started: id, pid: ctx.self });
    return { state: { id, log } };
  },
  handleCall: { ping: ({ state }) => ({ reply: `pong ${state.id}`, state }) },
  handleCast: {
    crash: () => {
      throw new Error('crash on request');
    },
    quit: ({ state }) => ({ stop: { kind: 'normal' }, state }),
  },
  terminate({ ctx, state }, reason) {
    ctx.send(state.log, { stopped: state.id, reason: reason.kind });
  },
});

/** A plain (non-OTP) process that traps exits and never exits on `shutdown`: only kill stops it. */
export const Stubborn = defineProcess('test.stubborn', {
  init(ctx: ProcessContext, id: string, log: Pid) {
    ctx.trapExit(true);
    ctx.send(log, { started: id, pid: ctx.self });
    return null;
  },
  handle: () => null,
});

export const types = [Worker, Stubborn];

/** A process collecting Events; `events` is live. */
export function eventLog(node: Node): { pid: Pid; events: Event[] } {
  const events: Event[] = [];
  const pid = node.spawnFn(async (ctx) => {
    for (;;) events.push((await ctx.receive()) as Event);
  });
  return { pid, events };
}

/** Short form of events for order assertions: `+a` started, `-a` stopped. */
export function brief(events: readonly Event[]): string[] {
  return events.map((e) => ('started' in e ? `+${e.started}` : `-${e.stopped}`));
}

export function workers(ids: readonly string[], log: Pid, restart: 'permanent' | 'transient' | 'temporary' = 'permanent') {
  return ids.map((id) => ({ id, start: { type: Worker, args: [id, log] }, restart, shutdown: 1000 }));
}
