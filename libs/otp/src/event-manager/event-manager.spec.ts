import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '@sdnode/core';
import { HandlerCrashError, HandlerExistsError, HandlerNotFoundError, StartError, type Pid } from '@sdnode/wire';
import { EventManager } from './event-manager.js';
import { isHandlerExitMessage, type Swapped, type TerminateReason } from './types.js';
import { localNode, memoryCluster, next, recordingLogger, waitUntil, type LogRecord } from '../testing.test-util.js';

interface Seen {
  log: Pid;
  seen: string[];
  swapped?: Swapped;
}

/** Records events; 'boom' throws, 'leave' removes it, 'swap' replaces it by Tally. */
const Recorder = EventManager.handler<Pid, Seen, string>('recorder', {
  init: (_ctx, log, swapped) => ({ state: { log, seen: [], ...(swapped ? { swapped } : {}) } }),
  handleEvent({ state }, event) {
    if (event === 'boom') throw new Error('handler boom');
    if (event === 'leave') return { remove: true };
    if (event === 'swap') return { swap: { args: 'swap-arg', to: Tally, toArgs: state.log } };
    return { state: { ...state, seen: [...state.seen, event] } };
  },
  handleCall({ state }, request) {
    if (request === 'explode') throw new Error('call boom');
    return { reply: request === 'swapped' ? state.swapped : state.seen, state };
  },
  handleInfo: ({ state }, msg) => ({ state: { ...state, seen: [...state.seen, `info ${String(msg)}`] } }),
  terminate({ ctx, state, id }, why) {
    ctx.send(state.log, { terminated: id, why });
    return `result of ${id}`;
  },
});

/** Counts events. */
const Tally = EventManager.handler<Pid, { log: Pid; n: number; swapped?: Swapped }, string>('tally', {
  init: (_ctx, log, swapped) => ({ state: { log, n: 0, ...(swapped ? { swapped } : {}) } }),
  handleEvent: ({ state }) => ({ state: { ...state, n: state.n + 1 } }),
  handleCall: ({ state }, request) => ({ reply: request === 'swapped' ? state.swapped : state.n, state }),
});

const Refuser = EventManager.handler<null, null, unknown>('refuser', {
  init: () => ({ error: 'not now' }),
  handleEvent: ({ state }) => ({ state }),
});

type Terminated = { terminated: string; why: TerminateReason };
const terminated = (m: unknown): Terminated | undefined => ((m as Terminated).terminated !== undefined ? (m as Terminated) : undefined);

describe('EventManager', () => {
  let node: Node;
  let records: LogRecord[];
  let log: Pid;
  beforeEach(async () => {
    records = [];
    node = await localNode({ logger: recordingLogger(records) });
    log = node.spawnFn(async (c) => void (await c.receive(() => undefined)));
  });
  afterEach(async () => {
    await node.stop();
  });

  it('gives every event to every handler in order; syncNotify returns once all have handled it', async () => {
    const mgr = await EventManager.start(node);
    await EventManager.addHandler(node, mgr, Recorder, log);
    await EventManager.addHandler(node, mgr, Tally, log);
    EventManager.notify(node, mgr, 'e1');
    await EventManager.syncNotify(node, mgr, 'e2');
    expect(await EventManager.call(node, mgr, 'recorder', 'seen')).toEqual(['e1', 'e2']);
    expect(await EventManager.call(node, mgr, 'tally', 'n')).toBe(2);
    expect(await EventManager.whichHandlers(node, mgr)).toEqual(['recorder', 'tally']);
    node.send(mgr, 'hello');
    expect(await EventManager.call(node, mgr, 'recorder', 'seen')).toEqual(['e1', 'e2', 'info hello']);
  });

  it('removes a crashing handler, reports it, and keeps serving the others', async () => {
    const mgr = await EventManager.start(node);
    const got = await node.run(async (ctx) => {
      await EventManager.addHandler(ctx, mgr, Recorder, ctx.self);
      await EventManager.addHandler(ctx, mgr, Tally, ctx.self);
      await EventManager.syncNotify(ctx, mgr, 'boom');
      return next(ctx, terminated);
    });
    expect(got.terminated).toBe('recorder');
    expect(got.why).toMatchObject({ kind: 'crash', reason: { kind: 'error', error: { message: 'handler boom' } } });
    expect(records.some((r) => r.level === 'warn' && r.msg === 'event handler crashed and was removed')).toBe(true);
    expect(await EventManager.whichHandlers(node, mgr)).toEqual(['tally']);
    expect(await EventManager.call(node, mgr, 'tally', 'n')).toBe(1);
  });

  it('fails a call to a crashing handler with HandlerCrashError and to an unknown one with HandlerNotFoundError', async () => {
    const mgr = await EventManager.start(node);
    await EventManager.addHandler(node, mgr, Recorder, log);
    await expect(EventManager.call(node, mgr, 'recorder', 'explode')).rejects.toBeInstanceOf(HandlerCrashError);
    await expect(EventManager.call(node, mgr, 'recorder', 'seen')).rejects.toBeInstanceOf(HandlerNotFoundError);
    await expect(EventManager.deleteHandler(node, mgr, 'nobody')).rejects.toBeInstanceOf(HandlerNotFoundError);
  });

  it('replies and removes the handler when handleCall returns reply with remove', async () => {
    const Once = EventManager.handler<null, null, unknown>('once', {
      init: () => ({ state: null }),
      handleEvent: ({ state }) => ({ state }),
      handleCall: () => ({ reply: 'last answer', remove: true }),
    });
    const mgr = await EventManager.start(node);
    await EventManager.addHandler(node, mgr, Once, null);
    expect(await EventManager.call(node, mgr, 'once', 'q')).toBe('last answer');
    expect(await EventManager.whichHandlers(node, mgr)).toEqual([]);
  });

  it('refuses a duplicate id, reports a failing init as StartError, and runs two instances under distinct ids', async () => {
    const mgr = await EventManager.start(node);
    await EventManager.addHandler(node, mgr, Tally, log);
    await expect(EventManager.addHandler(node, mgr, Tally, log)).rejects.toBeInstanceOf(HandlerExistsError);
    await EventManager.addHandler(node, mgr, Tally, log, { id: 'tally-2' });
    await expect(EventManager.addHandler(node, mgr, Refuser, null)).rejects.toMatchObject({ reason: 'not now' });
    await expect(EventManager.addHandler(node, mgr, Refuser, null)).rejects.toBeInstanceOf(StartError);
    expect(await EventManager.whichHandlers(node, mgr)).toEqual(['tally', 'tally-2']);
  });

  it('deletes a handler with its terminate result, and removes one whose callback returns remove', async () => {
    const mgr = await EventManager.start(node);
    const got = await node.run(async (ctx) => {
      await EventManager.addHandler(ctx, mgr, Recorder, ctx.self);
      await EventManager.addHandler(ctx, mgr, Recorder, ctx.self, { id: 'second' });
      const result = await EventManager.deleteHandler(ctx, mgr, 'recorder', 'bye');
      const first = await next(ctx, terminated);
      await EventManager.syncNotify(ctx, mgr, 'leave');
      return { result, first, second: await next(ctx, terminated) };
    });
    expect(got).toEqual({
      result: 'result of recorder',
      first: { terminated: 'recorder', why: { kind: 'delete', args: 'bye' } },
      second: { terminated: 'second', why: { kind: 'remove' } },
    });
    expect(await EventManager.whichHandlers(node, mgr)).toEqual([]);
  });

  it('swaps handlers in place: the new init gets the old terminate result', async () => {
    const mgr = await EventManager.start(node);
    await EventManager.addHandler(node, mgr, Recorder, log);
    await EventManager.addHandler(node, mgr, Tally, log, { id: 'last' });
    await EventManager.syncNotify(node, mgr, 'swap');
    expect(await EventManager.whichHandlers(node, mgr)).toEqual(['tally', 'last']);
    expect(await EventManager.call(node, mgr, 'tally', 'swapped')).toEqual({ from: 'recorder', result: 'result of recorder' });
    await EventManager.swapHandler(node, mgr, 'tally', { to: Recorder, toArgs: log, id: 'back' });
    expect(await EventManager.whichHandlers(node, mgr)).toEqual(['back', 'last']);
    expect(await EventManager.call(node, mgr, 'back', 'swapped')).toEqual({ from: 'tally', result: undefined });
  });

  it('tells the supervising process when its handler crashes, and drops its handlers when it exits', async () => {
    const mgr = await EventManager.start(node);
    const exit = await node.run(async (ctx) => {
      await EventManager.addSupHandler(ctx, mgr, Tally, ctx.self);
      await EventManager.addSupHandler(ctx, mgr, Recorder, ctx.self);
      EventManager.notify(ctx, mgr, 'boom');
      return next(ctx, (m) => (isHandlerExitMessage(m) ? m : undefined));
    });
    expect(exit).toMatchObject({ $handlerExit: 'recorder', reason: { kind: 'crash' } });
    expect(exit.manager.equals(mgr)).toBe(true);
    // The supervising process (node.run's) has exited: its remaining handler is gone too.
    await waitUntil(() => node.processInfo(mgr)?.links.length === 0, 'the manager unlinked the exited owner');
    expect(await EventManager.whichHandlers(node, mgr)).toEqual([]);
  });

  it('terminates every handler with the stop reason when the manager stops, and tells supervising processes', async () => {
    const mgr = await EventManager.start(node);
    const got = await node.run(async (ctx) => {
      await EventManager.addHandler(ctx, mgr, Recorder, ctx.self);
      await EventManager.addSupHandler(ctx, mgr, Tally, ctx.self);
      await EventManager.stop(ctx, mgr);
      return { terminated: await next(ctx, terminated), told: await next(ctx, (m) => (isHandlerExitMessage(m) ? m : undefined)) };
    });
    expect(got.terminated).toEqual({ terminated: 'recorder', why: { kind: 'stop', reason: { kind: 'normal' } } });
    expect(got.told).toMatchObject({ $handlerExit: 'tally', reason: { kind: 'stop', reason: { kind: 'normal' } } });
  });
});

describe('EventManager across nodes', () => {
  it('adds a handler by name from its catalog on a manager of another node, and notifies and calls it there', async () => {
    const Alarms = EventManager.define('test.alarms', [Tally]);
    const { nodes, stop } = await memoryCluster(['a', 'b'], { types: [Alarms] });
    const [a, b] = nodes as [Node, Node];
    try {
      const mgr = await EventManager.start(a, { type: Alarms, node: b.name, name: 'alarms' });
      const sink = b.spawnFn(async (c) => void (await c.receive(() => undefined)));
      await EventManager.addHandler(a, { name: 'alarms', node: b.name }, 'tally', sink);
      EventManager.notify(a, mgr, 'disk full');
      await EventManager.syncNotify(a, mgr, 'cpu hot');
      expect(await EventManager.call(a, mgr, 'tally', 'n')).toBe(2);
      await expect(EventManager.addHandler(a, mgr, 'unknown-handler', null)).rejects.toBeInstanceOf(HandlerNotFoundError);
    } finally {
      await stop();
    }
  });
});
