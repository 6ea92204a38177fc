import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '@sdnode/core';
import { NotSendableError, type Pid } from '@sdnode/wire';
import { GenServer } from '../gen-server/gen-server.js';
import { Sys } from './sys.js';
import type { TraceEvent } from './debug.js';
import { isTraceMessage } from './messages.js';
import { localNode, memoryCluster, next } from '../testing.test-util.js';

interface CounterSpec {
  state: number;
  calls: { add(n: number): number; get(): number };
  casts: { notify(to: Pid): void };
}

const Counter = GenServer.define<CounterSpec>('test.sys-counter', {
  init: () => ({ state: 0 }),
  handleCall: {
    add: ({ state }, n) => ({ reply: state + n, state: state + n }),
    get: ({ state }) => ({ reply: state, state }),
  },
  handleCast: {
    notify: ({ ctx, state }, to) => {
      ctx.send(to, { count: state });
      return { state };
    },
  },
});

/** Trace events reduced to what a test compares. */
function brief(e: TraceEvent): string {
  if (e.kind === 'state') return `state ${String(e.previous)}->${String(e.state)}`;
  const body = JSON.stringify(e.kind === 'in' ? ((e.msg as { request?: unknown }).request ?? e.msg) : e.msg);
  return `${e.kind} ${body}`;
}

describe('Sys: introspection of behaviour processes', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode({ types: [Counter] });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('traces messages in and out and state changes through a hook, switched on and off at run time', async () => {
    const pid = await Counter.start(node, []);
    const events: TraceEvent[] = [];
    await GenServer.call(node, pid, 'add', [1]); // not traced
    await Sys.trace(node, pid, (e) => events.push(e));
    await GenServer.call(node, pid, 'add', [2]);
    await GenServer.call(node, pid, 'get');
    const sink = node.spawnFn(async (c) => void (await c.receive(() => undefined)));
    GenServer.cast(node, pid, 'notify', [sink]);
    await Sys.trace(node, pid, null);
    await GenServer.call(node, pid, 'add', [4]); // not traced
    expect(events.map(brief)).toEqual([
      // the reply to the trace request itself, then the traffic
      'out {"ok":null}',
      'in {"op":"add","args":[2]}',
      'state 1->3',
      'out 3',
      'in {"op":"get","args":[]}',
      'out 3',
      `in {"$cast":{"op":"notify","args":["${sink.toString()}"]}}`,
      'out {"count":3}',
      'in {"$sys":"trace","sink":null}',
    ]);
    expect(events.every((e) => e.pid.equals(pid))).toBe(true);
  });

  it('sends trace events to a pid sink as { $trace } messages, also from another node', async () => {
    const { nodes, stop } = await memoryCluster(['a', 'b'], { types: [Counter] });
    const [a, b] = nodes as [Node, Node];
    try {
      const pid = await Counter.start(a, [], { node: b.name });
      const got = await a.run(async (ctx) => {
        await Sys.trace(ctx, pid, ctx.self);
        await GenServer.call(ctx, pid, 'add', [5]);
        const out: string[] = [];
        for (let i = 0; i < 4; i++) out.push(brief(await next(ctx, (m) => (isTraceMessage(m) ? m.$trace : undefined))));
        return out;
      });
      expect(got).toEqual(['out {"ok":null}', 'in {"op":"add","args":[5]}', 'state 0->5', 'out 5']);
    } finally {
      await stop();
    }
  });

  it('counts messages and callbacks while statistics are on', async () => {
    const pid = await Counter.start(node, [], { debug: { statistics: true } });
    await GenServer.call(node, pid, 'add', [1]);
    await GenServer.call(node, pid, 'add', [1]);
    const stats = await Sys.statistics(node, pid, 'get');
    expect(stats).toMatchObject({ messagesIn: 3, messagesOut: 2, callbacks: 2 });
    expect(stats!.now).toBeGreaterThanOrEqual(stats!.since);
    await Sys.statistics(node, pid, false);
    expect(await Sys.statistics(node, pid, 'get')).toBeNull();
  });

  it('reports status: behaviour, type, state, parent, name, queue', async () => {
    const pid = await Counter.start(node, [], { name: 'counter' });
    await GenServer.call(node, pid, 'add', [7]);
    const status = await Sys.getStatus(node, 'counter');
    expect(status).toMatchObject({
      behaviour: 'gen_server',
      type: 'test.sys-counter',
      vsn: null,
      status: 'running',
      name: 'counter',
      parent: null,
      state: 7,
      messageQueueLength: 0,
      statistics: null,
      tracing: false,
    });
    expect(await Sys.replaceState<number>(node, pid, (n) => n * 2)).toBe(14);
    expect(await Sys.getState(node, pid)).toBe(14);
    await expect(Sys.replaceState(node, pid, () => {
      throw new TypeError('no');
    })).rejects.toBeInstanceOf(TypeError);
    expect(await Sys.getState(node, pid)).toBe(14);
  });

  it('shows the state through formatStatus in getStatus, and as it is in getState', async () => {
    const Secretive = GenServer.define<{ state: { user: string; password: string } }>('test.secretive', {
      init: () => ({ state: { user: 'ann', password: 'hunter2' } }),
      formatStatus: (state) => ({ user: state.user, password: '***' }),
    });
    const pid = await Secretive.start(node, []);
    expect((await Sys.getStatus(node, pid)).state).toEqual({ user: 'ann', password: '***' });
    expect(await Sys.getState(node, pid)).toEqual({ user: 'ann', password: 'hunter2' });
  });

  it('defers other messages while suspended and handles them in order on resume', async () => {
    const pid = await Counter.start(node, []);
    const got = await node.run(async (ctx) => {
      await Sys.suspend(ctx, pid);
      GenServer.cast(ctx, pid, 'notify', [ctx.self]);
      const pending = GenServer.call(node, pid, 'add', [1], { timeout: 2000 }); // from another process
      // System requests are still answered while suspended.
      const status = (await Sys.getStatus(node, pid)).status;
      const early = await ctx.receive((m) => m, { timeout: 20, onTimeout: () => 'nothing yet' });
      await Sys.resume(node, pid);
      return { status, early, first: await next(ctx, (m) => m), added: await pending };
    });
    expect(got).toEqual({ status: 'suspended', early: 'nothing yet', first: { count: 0 }, added: 1 });
  });

  it('answers a remote caller with NotSendableError when the state cannot be encoded, and lives on', async () => {
    const Holder = GenServer.define<{ state: () => number; calls: { run(): number } }>('test.fn-holder', {
      init: () => ({ state: () => 42 }),
      handleCall: { run: ({ state }) => ({ reply: state(), state }) },
    });
    const { nodes, stop } = await memoryCluster(['a', 'b'], { types: [Holder] });
    const [a, b] = nodes as [Node, Node];
    try {
      const pid = await Holder.start(b, []);
      await expect(Sys.getState(a, pid)).rejects.toBeInstanceOf(NotSendableError);
      expect(await GenServer.call(a, pid, 'run')).toBe(42);
    } finally {
      await stop();
    }
  });
});
