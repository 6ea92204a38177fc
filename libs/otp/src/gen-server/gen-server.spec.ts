import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDownMessage, type Node } from '@sdnode/core';
import { CalleeExitError, ExitReasons, NameTakenError, NoProcError, StartError, TimeoutError, type ExitReason, type Pid } from '@sdnode/wire';
import { GenServer } from './gen-server.js';
import type { ServerRef } from './types.js';
import { alive, localNode, next, waitUntil } from '../testing.test-util.js';

interface KvSpec {
  args: [initial: Record<string, number>];
  state: Map<string, number>;
  calls: {
    get(key: string): number | undefined;
    put(key: string, value: number): boolean;
    size(): number;
    slowGet(key: string): Promise<number | undefined>;
    crash(): never;
    stopWith(reason: ExitReason, answer: boolean): string;
  };
  casts: { clear(): void; bump(key: string): void; halt(reason: ExitReason): void };
}

const Kv = GenServer.define<KvSpec>('test.kv', {
  init: (_ctx, initial) => ({ state: new Map(Object.entries(initial)) }),
  handleCall: {
    get: ({ state }, key) => ({ reply: state.get(key), state }),
    put: ({ state }, key, value) => ({ reply: !state.has(key), state: new Map(state).set(key, value) }),
    size: ({ state }) => ({ reply: state.size, state }),
    slowGet: async ({ state }, key) => {
      await new Promise((r) => setImmediate(r));
      return { reply: state.get(key), state };
    },
    crash: () => {
      throw new Error('asked to crash');
    },
    stopWith: ({ state }, reason, answer) => (answer ? { stop: reason, reply: 'bye', state } : { stop: reason, state }),
  },
  handleCast: {
    clear: () => ({ state: new Map() }),
    bump: ({ state }, key) => ({ state: new Map(state).set(key, (state.get(key) ?? 0) + 1) }),
    halt: ({ state }, reason) => ({ stop: reason, state }),
  },
});

/** Init results chosen by the argument. */
type InitMode = 'ok' | 'stop' | 'ignore' | 'throw' | 'bad' | 'async';
const Starter = GenServer.define<{ args: [mode: InitMode]; state: string; calls: { mode(): string } }>('test.starter', {
  init(_ctx, mode) {
    switch (mode) {
      case 'ok':
        return { state: mode };
      case 'stop':
        return { stop: ExitReasons.other('no thanks') };
      case 'ignore':
        return { ignore: true };
      case 'throw':
        throw new TypeError('init failed');
      case 'bad':
        return 42 as never;
      case 'async':
        return new Promise((r) => setImmediate(() => r({ state: 'async' })));
    }
  },
  handleCall: { mode: ({ state }) => ({ reply: state, state }) },
});

describe('GenServer: start and init results', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode({ types: [Kv, Starter] });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('starts when init returns a state, and answers calls with the reply type of each operation', async () => {
    const kv = await Kv.start(node, [{ a: 1 }]);
    const a: number | undefined = await GenServer.call(node, kv, 'get', ['a']);
    expect(a).toBe(1);
    expect(await GenServer.call(node, kv, 'put', ['b', 2])).toBe(true);
    expect(await GenServer.call(node, kv, 'size')).toBe(2);
  });

  it('waits for an async init before start resolves', async () => {
    const pid = await Starter.start(node, ['async']);
    expect(await GenServer.call(node, pid, 'mode')).toBe('async');
  });

  it('rejects the start with StartError carrying the reason when init returns stop', async () => {
    const e = (await Starter.start(node, ['stop']).catch((x: unknown) => x)) as StartError;
    expect(e).toBeInstanceOf(StartError);
    expect(e.reason).toEqual({ kind: 'other', value: 'no thanks' });
  });

  it('rejects with an ignored StartError when init returns ignore, and leaves no process behind', async () => {
    const before = node.processes().length;
    const e = (await Starter.start(node, ['ignore']).catch((x: unknown) => x)) as StartError;
    expect(e).toBeInstanceOf(StartError);
    expect(e.ignored).toBe(true);
    await waitUntil(() => node.processes().length === before, 'the ignored process has exited');
  });

  it('reports an init that throws as a StartError with the error reason', async () => {
    const e = (await Starter.start(node, ['throw']).catch((x: unknown) => x)) as StartError;
    expect(e).toBeInstanceOf(StartError);
    expect(e.reason).toMatchObject({ kind: 'error', error: { name: 'TypeError', message: 'init failed' } });
  });

  it('reports an illegal init result as a BadReturnError crash', async () => {
    const e = (await Starter.start(node, ['bad']).catch((x: unknown) => x)) as StartError;
    expect(e.reason).toMatchObject({ kind: 'error', error: { code: 'EBADRETURN' } });
  });

  it('registers the name before init and refuses a taken name with NameTakenError', async () => {
    const first = await Kv.start(node, [{}], { name: 'kv' });
    expect(node.whereis('kv')?.equals(first)).toBe(true);
    expect(await GenServer.call(node, Kv.ref('kv'), 'size')).toBe(0);
    await expect(Kv.start(node, [{}], { name: 'kv' })).rejects.toBeInstanceOf(NameTakenError);
  });

  it('links with startLink: when the starting process crashes, the server exits too', async () => {
    let server: Pid | undefined;
    const parent = node.spawnFn(async (ctx) => {
      server = await Kv.startLink(ctx, [{}]);
      await ctx.receive((m) => (m === 'crash' ? m : undefined));
      throw new Error('parent crashed');
    });
    await waitUntil(() => server !== undefined, 'the server started');
    expect(node.processInfo(server!)?.links).toContainEqual(parent);
    node.send(parent, 'crash');
    await waitUntil(() => !alive(node, server!), 'the server exited with its parent');
  });

  it('runs a server spawned plainly by type name (no start protocol) the same way', async () => {
    const pid = node.spawn('test.kv', { z: 26 });
    expect(await GenServer.call(node, Kv.ref(pid), 'get', ['z'])).toBe(26);
  });
});

describe('GenServer: call, cast and info results', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode({ types: [Kv] });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('answers through the typed client: kv.call.op(...) and kv.cast.op(...)', async () => {
    const pid = await Kv.start(node, [{ n: 1 }]);
    const kv = Kv.client(node, pid);
    kv.cast.bump('n');
    kv.cast.bump('n');
    expect(await kv.call.get('n')).toBe(3);
    kv.cast.clear();
    expect(await kv.call.size()).toBe(0);
  });

  it('awaits a handleCall that returns a promise; later messages wait in order', async () => {
    const pid = await Kv.start(node, [{ k: 5 }]);
    const got = await node.run(async (ctx) => {
      const kv = Kv.client(ctx, pid);
      const slow = kv.call.slowGet('k'); // the request is sent now; the cast goes behind it
      kv.cast.bump('k');
      return [await slow, await kv.call.get('k')];
    });
    expect(got).toEqual([5, 6]);
  });

  it('stops with a reply: the caller gets the reply, then the server exits with the reason', async () => {
    const pid = await Kv.start(node, [{}]);
    const got = await node.run(async (ctx) => {
      const ref = ctx.monitor(pid);
      const answer = await GenServer.call(ctx, pid, 'stopWith', [ExitReasons.shutdown('done'), true]);
      const down = await next(ctx, (m) => (isDownMessage(m) && m.ref.equals(ref) ? m.reason : undefined));
      return { answer, down };
    });
    expect(got).toEqual({ answer: 'bye', down: { kind: 'shutdown', detail: 'done' } });
  });

  it('stops without a reply: the caller gets CalleeExitError with the reason', async () => {
    const pid = await Kv.start(node, [{}]);
    const e = (await GenServer.call(node, pid, 'stopWith', [ExitReasons.other('gone'), false]).catch((x: unknown) => x)) as CalleeExitError;
    expect(e).toBeInstanceOf(CalleeExitError);
    expect(e.reason).toEqual({ kind: 'other', value: 'gone' });
  });

  it('a handleCall that throws crashes the server; the caller gets CalleeExitError with the error', async () => {
    const pid = await Kv.start(node, [{}]);
    const e = (await GenServer.call(node, pid, 'crash').catch((x: unknown) => x)) as CalleeExitError;
    expect(e).toBeInstanceOf(CalleeExitError);
    expect(e.reason).toMatchObject({ kind: 'error', error: { message: 'asked to crash' } });
    expect(alive(node, pid)).toBe(false);
  });

  it('a call naming an unknown operation crashes the server with UnknownRequestError', async () => {
    const pid = await Kv.start(node, [{}]);
    const e = (await node.call(pid, { op: 'toString', args: [] }).catch((x: unknown) => x)) as CalleeExitError;
    expect(e.reason).toMatchObject({ kind: 'error', error: { code: 'EUNKNOWNREQUEST' } });
  });

  it('a cast returning stop exits the server with that reason', async () => {
    const pid = await Kv.start(node, [{}]);
    const reason = await node.run(async (ctx) => {
      const ref = ctx.monitor(pid);
      GenServer.cast(ctx, pid, 'halt', [ExitReasons.other('cast stop')]);
      return next(ctx, (m) => (isDownMessage(m) && m.ref.equals(ref) ? m.reason : undefined));
    });
    expect(reason).toEqual({ kind: 'other', value: 'cast stop' });
  });

  it('casts to an unregistered name are dropped without error', () => {
    expect(() => GenServer.cast(node, Kv.ref('nobody'), 'clear')).not.toThrow();
  });

  it('calls fail with NoProcError for an unknown name and TimeoutError when no reply comes', async () => {
    await expect(GenServer.call(node, Kv.ref('nobody'), 'size')).rejects.toBeInstanceOf(NoProcError);
    const silent = node.spawnFn(async (ctx) => {
      await ctx.receive((m) => (m === 'never' ? m : undefined));
    });
    await expect(GenServer.call(node, Kv.ref(silent), 'size', [], { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(Kv.client(node, silent, { timeout: 30 }).call.size()).rejects.toBeInstanceOf(TimeoutError);
  });

  it('refuses a call from a server to itself at once instead of letting it time out', async () => {
    interface SelfishSpec {
      state: null;
      calls: { me(): string };
    }
    const Selfish = GenServer.define<SelfishSpec>('test.selfish', {
      init: () => ({ state: null }),
      handleCall: {
        async me({ ctx, state }) {
          const self: ServerRef<SelfishSpec> = ctx.self;
          const e: unknown = await GenServer.call(ctx, self, 'me').catch((x: unknown) => x);
          return { reply: (e as Error).constructor.name, state };
        },
      },
    });
    const pid = await Selfish.start(node, [], { name: 'selfish' });
    expect(await GenServer.call(node, pid, 'me', [], { timeout: 1000 })).toBe('InvalidArgumentError');
  });

  it('rejects wrongly typed calls at compile time', async () => {
    const kv = await Kv.start(node, [{}]);
    // @ts-expect-error: 'nope' is not an operation of KvSpec
    const unknownOp = () => GenServer.call(node, kv, 'nope');
    // @ts-expect-error: get takes a string key
    const wrongArg = () => GenServer.call(node, kv, 'get', [1]);
    // @ts-expect-error: the reply of size is a number
    const wrongReply: Promise<string> = GenServer.call(node, kv, 'size');
    expect([typeof unknownOp, typeof wrongArg, wrongReply instanceof Promise]).toEqual(['function', 'function', true]);
    await wrongReply;
  });
});
