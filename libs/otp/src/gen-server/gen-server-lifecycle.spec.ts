import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDownMessage, type Node } from '@sdnode/core';
import { BadReturnError, CalleeExitError, CodeChangeError, ExitReasons, type ExitReason, type Pid } from '@sdnode/wire';
import { GenServer } from './gen-server.js';
import { TIMEOUT, type From } from './types.js';
import { Sys } from '../common/sys.js';
import { alive, localNode, next, waitUntil } from '../testing.test-util.js';

/** Everything the server does is written to `log` (a pid) as strings, to observe the order. */
interface StepsSpec {
  args: [log: Pid, idleMs: number | null];
  state: { log: Pid; n: number; parked: From<string> | null };
  calls: {
    echo(x: string): string;
    later(x: string): string;
    thenContinue(): string;
    thenTimeout(ms: number): string;
    park(): string;
  };
  casts: { chain(steps: number): void; release(x: string): void };
  continue: number | 'after-init';
  info: string;
}

const Steps = GenServer.define<StepsSpec>('test.steps', {
  init(ctx, log, idleMs) {
    const state = { log, n: 0, parked: null };
    ctx.send(log, 'init');
    return idleMs === null ? { state, continue: 'after-init' } : { state, timeout: idleMs };
  },
  handleCall: {
    echo: ({ state }, x) => ({ reply: x, state }),
    later({ ctx, state, from }, x) {
      // Hand the caller to a helper process that answers for the server.
      const helper = ctx.spawnFn(async (h) => {
        const who = (await h.receive()) as From<string>;
        GenServer.reply(h, who, `later ${x}`);
      });
      ctx.send(helper, from);
      return { noreply: true, state };
    },
    thenContinue: ({ state }) => ({ reply: 'replied', state, continue: 1 }),
    thenTimeout: ({ state }, ms) => ({ reply: 'armed', state, timeout: ms }),
    park: ({ state, from }) => ({ noreply: true, state: { ...state, parked: from } }),
  },
  handleCast: {
    chain: ({ state }, steps) => ({ state, continue: -steps }),
    release: ({ ctx, state }, x) => {
      if (state.parked !== null) GenServer.reply(ctx, state.parked, x);
      return { state: { ...state, parked: null } };
    },
  },
  handleContinue({ ctx, state }, cont) {
    ctx.send(state.log, `continue ${cont}`);
    if (typeof cont === 'number' && cont < -1) return { state, continue: cont + 1 };
    return { state: { ...state, n: state.n + 1 } };
  },
  handleInfo({ ctx, state }, msg) {
    ctx.send(state.log, msg === TIMEOUT ? 'timeout' : `info ${String(msg)}`);
    return { state };
  },
  terminate({ ctx, state }, reason) {
    ctx.send(state.log, `terminate ${reason.kind}`);
  },
});

const strings = (m: unknown): string | undefined => (typeof m === 'string' ? m : undefined);

describe('GenServer: continue, timeouts, replies later', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode({ types: [Steps] });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('runs handleContinue after init, before the first message', async () => {
    const log = await node.run(async (ctx) => {
      const pid = await Steps.start(ctx, [ctx.self, null]);
      ctx.send(pid, 'hello');
      return [await next(ctx, strings), await next(ctx, strings), await next(ctx, strings)];
    });
    expect(log).toEqual(['init', 'continue after-init', 'info hello']);
  });

  it('runs handleContinue after a reply, and chains continue results before the next message', async () => {
    const log = await node.run(async (ctx) => {
      const pid = await Steps.start(ctx, [ctx.self, null]);
      await next(ctx, strings);
      await next(ctx, strings);
      expect(await GenServer.call(ctx, pid, 'thenContinue')).toBe('replied');
      GenServer.cast(ctx, pid, 'chain', [3]);
      ctx.send(pid, 'last');
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push(await next(ctx, strings));
      return out;
    });
    expect(log).toEqual(['continue 1', 'continue -3', 'continue -2', 'continue -1', 'info last']);
  });

  it('delivers TIMEOUT to handleInfo when no message arrives in time, and any message cancels it', async () => {
    const log = await node.run(async (ctx) => {
      const pid = await Steps.start(ctx, [ctx.self, 5]);
      const out = [await next(ctx, strings), await next(ctx, strings)];
      // Armed for 10 s, then cancelled by the next message: no timeout follows.
      await GenServer.call(ctx, pid, 'thenTimeout', [10_000]);
      ctx.send(pid, 'cancels');
      out.push(await next(ctx, strings));
      await GenServer.call(ctx, pid, 'thenTimeout', [0]);
      out.push(await next(ctx, strings));
      out.push(await ctx.receive(strings, { timeout: 20, onTimeout: () => 'nothing more' }));
      return out;
    });
    expect(log).toEqual(['init', 'timeout', 'info cancels', 'timeout', 'nothing more']);
  });

  it('answers a call later: noreply, then GenServer.reply from another process', async () => {
    const pid = await Steps.start(node, [node.spawnFn(async (c) => void (await c.receive(() => undefined))), 1e9]);
    expect(await GenServer.call(node, pid, 'later', ['x'])).toBe('later x');
    expect(await GenServer.call(node, pid, 'echo', ['still serving'])).toBe('still serving');
  });

  it('answers a parked call from a later cast (noreply, then reply)', async () => {
    const pid = await Steps.start(node, [node.spawnFn(async (c) => void (await c.receive(() => undefined))), 1e9]);
    const answer = await node.run(async (ctx) => {
      const parked = GenServer.call(ctx, pid, 'park');
      GenServer.cast(ctx, pid, 'release', ['released']);
      return parked;
    });
    expect(answer).toBe('released');
  });
});

describe('GenServer: stop and illegal results from every callback', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode();
  });
  afterEach(async () => {
    await node.stop();
  });

  /** Each cast names what the next callback returns. */
  interface EdgeSpec {
    state: number;
    calls: { missingState(): number; noreplyNotTrue(): number };
    casts: { toInfo(): void; toContinue(result: string): void; armAndIdle(ms: number): void };
    continue: string;
  }
  const Edge = GenServer.define<EdgeSpec>('test.edge', {
    init: () => ({ state: 0 }),
    handleCall: {
      missingState: () => ({ reply: 1 }) as never,
      noreplyNotTrue: ({ state }) => ({ noreply: 'yes', state }) as never,
    },
    handleCast: {
      toInfo: ({ ctx, state }) => {
        ctx.send(ctx.self, 'stop please');
        return { state };
      },
      toContinue: ({ state }, result) => ({ state, continue: result }),
      armAndIdle: ({ state }, ms) => ({ state: state + 1, timeout: ms }),
    },
    handleInfo: ({ state }, msg) => (msg === TIMEOUT ? { stop: ExitReasons.other(`idle after ${state}`), state } : { stop: ExitReasons.other(String(msg)), state }),
    handleContinue: ({ state }, result) => (result === 'stop' ? { stop: ExitReasons.other('from continue'), state } : (result as never)),
  });

  async function exitOf(pid: Pid, act: () => void): Promise<ExitReason> {
    return node.run(async (ctx) => {
      const ref = ctx.monitor(pid);
      act();
      return next(ctx, (m) => (isDownMessage(m) && m.ref.equals(ref) ? m.reason : undefined));
    });
  }

  it('stops from handleInfo, from handleContinue, and from the idle timeout with the state reached', async () => {
    const a = await Edge.start(node, []);
    expect(await exitOf(a, () => GenServer.cast(node, a, 'toInfo'))).toEqual({ kind: 'other', value: 'stop please' });
    const b = await Edge.start(node, []);
    expect(await exitOf(b, () => GenServer.cast(node, b, 'toContinue', ['stop']))).toEqual({ kind: 'other', value: 'from continue' });
    const c = await Edge.start(node, []);
    expect(await exitOf(c, () => GenServer.cast(node, c, 'armAndIdle', [5]))).toEqual({ kind: 'other', value: 'idle after 1' });
  });

  it('exits with BadReturnError on a result without state, a noreply that is not true, or an illegal continue result', async () => {
    for (const op of ['missingState', 'noreplyNotTrue'] as const) {
      const pid = await Edge.start(node, []);
      const e = (await GenServer.call(node, pid, op).catch((x: unknown) => x)) as CalleeExitError;
      expect(e.reason).toMatchObject({ kind: 'error', error: { code: 'EBADRETURN' } });
    }
    const pid = await Edge.start(node, []);
    expect(await exitOf(pid, () => GenServer.cast(node, pid, 'toContinue', ['garbage']))).toMatchObject({ kind: 'error', error: { code: 'EBADRETURN' } });
  });
});

describe('GenServer: terminate, parents, code change', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode({ types: [Steps] });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('runs terminate with the reason on GenServer.stop, and stop resolves after the exit', async () => {
    const log = await node.run(async (ctx) => {
      const pid = await Steps.start(ctx, [ctx.self, 1e9]);
      await next(ctx, strings);
      await GenServer.stop(ctx, pid, ExitReasons.shutdown());
      expect(alive(node, pid)).toBe(false);
      return next(ctx, strings);
    });
    expect(log).toBe('terminate shutdown');
  });

  it('stops when its parent exits while it traps exits, with the parent reason', async () => {
    const Trapper = GenServer.define<{ args: [log: Pid]; state: Pid }>('test.trapper', {
      init: (ctx, log) => {
        ctx.trapExit(true);
        return { state: log };
      },
      terminate: ({ ctx, state }, reason) => ctx.send(state, { terminated: reason }),
    });
    const got = await node.run(async (ctx) => {
      let server: Pid | undefined;
      const log = ctx.self;
      const parent = ctx.spawnFn(async (p) => {
        server = await Trapper.startLink(p, [log]);
        await p.receive((m) => (m === 'die' ? m : undefined));
        p.exit(ExitReasons.other('parent gone'));
      });
      await waitUntil(() => server !== undefined, 'server started');
      ctx.send(parent, 'die');
      return next(ctx, (m) => (m as { terminated?: ExitReason }).terminated);
    });
    expect(got).toEqual({ kind: 'other', value: 'parent gone' });
  });

  it('awaits an async terminate before the process exits', async () => {
    const Slow = GenServer.define<{ args: [log: Pid]; state: Pid }>('test.slow-terminate', {
      init: (_ctx, log) => ({ state: log }),
      async terminate({ ctx, state }) {
        await new Promise((r) => setTimeout(r, 20));
        ctx.send(state, 'terminate done');
      },
    });
    const got = await node.run(async (ctx) => {
      const pid = await Slow.start(ctx, [ctx.self]);
      const ref = ctx.monitor(pid);
      const stopped = GenServer.stop(node, pid);
      const first = await next(ctx, (m) => (m === 'terminate done' || isDownMessage(m) ? m : undefined));
      await stopped;
      return { first, down: await next(ctx, (m) => (isDownMessage(m) && m.ref.equals(ref) ? m.reason : undefined)) };
    });
    expect(got).toEqual({ first: 'terminate done', down: { kind: 'normal' } });
  });

  it('runs terminate when the server crashes in a callback', async () => {
    const got = await node.run(async (ctx) => {
      const pid = await Steps.start(ctx, [ctx.self, 1e9]);
      await next(ctx, strings);
      node.send(pid, { op: 'not a cast' }); // an info message: handled, fine
      await next(ctx, strings);
      ctx.send(pid, { $cast: { op: 'missing', args: [] } });
      return next(ctx, strings);
    });
    expect(got).toBe('terminate error');
  });

  it('switches to a new implementation at its next message; codeChange converts the state', async () => {
    interface V1 {
      state: number;
      calls: { get(): string };
    }
    const Counter1 = GenServer.define<V1>('test.counter', { init: () => ({ state: 7 }), handleCall: { get: ({ state }) => ({ reply: `v1 ${state}`, state }) } }, { vsn: 1 });
    const Counter2 = GenServer.define<V1>(
      'test.counter',
      {
        init: () => ({ state: 0 }),
        handleCall: { get: ({ state }) => ({ reply: `v2 ${state}`, state }) },
        codeChange: ({ state }, oldVsn, extra) => ({ state: (state as number) * 10 + (oldVsn === 1 ? (extra as number) : 0) }),
      },
      { vsn: 2 },
    );
    const pid = await Counter1.start(node, []);
    expect(await GenServer.call(node, pid, 'get')).toBe('v1 7');
    await Sys.suspend(node, pid);
    await Sys.changeCode(node, pid, Counter2, 3);
    await Sys.resume(node, pid);
    expect(await GenServer.call(node, pid, 'get')).toBe('v2 73');
    expect((await Sys.getStatus(node, pid)).vsn).toBe(2);
  });

  it('keeps the old implementation when codeChange refuses, with CodeChangeError', async () => {
    const Old = GenServer.define<{ state: string; calls: { who(): string } }>('test.who', { init: () => ({ state: 'old' }), handleCall: { who: ({ state }) => ({ reply: state, state }) } });
    const Refusing = GenServer.define<{ state: string; calls: { who(): string } }>('test.who', {
      init: () => ({ state: 'new' }),
      handleCall: { who: () => ({ reply: 'new', state: 'new' }) },
      codeChange: () => ({ error: 'incompatible' }),
    });
    const Broken = GenServer.define<{ state: string; calls: { who(): string } }>('test.who', {
      init: () => ({ state: 'new' }),
      handleCall: { who: () => ({ reply: 'new', state: 'new' }) },
      codeChange: () => 'not a result' as never,
    });
    const pid = await Old.start(node, []);
    await expect(Sys.changeCode(node, pid, Refusing)).rejects.toBeInstanceOf(CodeChangeError);
    await expect(Sys.changeCode(node, pid, Broken)).rejects.toBeInstanceOf(BadReturnError);
    expect(await GenServer.call(node, pid, 'who')).toBe('old');
  });
});
