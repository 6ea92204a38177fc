import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  AlreadyRegisteredError,
  ExitReasons,
  InvalidArgumentError,
  NameTakenError,
  NoConnectionError,
  NoProcError,
  NodeStoppedError,
  RemoteCallError,
  TimeoutError,
  UnknownFunctionError,
  UnknownProcessTypeError,
  type ExitReason,
} from '@sdnode/wire';
import { Node, defineProcess, isDownMessage, type ProcessContext } from './index.js';
import { localNode, waitUntil } from './wait-until.test-util.js';

let node: Node;
beforeEach(async () => {
  node = await localNode('n1@127.0.0.1', {
    functions: {
      add: (a: number, b: number) => a + b,
      fail: () => {
        throw new RangeError('bad range');
      },
      later: async (v: unknown) => v,
    },
  });
});
afterEach(async () => {
  await node.stop();
});

const Idle = defineProcess('idle', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

describe('Node: processes and names', () => {
  it('spawns registered types by name and refuses unknown ones', async () => {
    node.defineType(Idle);
    const pid = node.spawn('idle');
    expect(pid.node).toBe(node.name);
    expect(pid.creation).toBe(node.creation);
    expect(node.processes().some((p) => p.equals(pid))).toBe(true);
    expect(() => node.spawn('nope')).toThrow(UnknownProcessTypeError);
  });

  it('refuses an invalid process type definition', () => {
    expect(() => defineProcess('bad name with spaces', async () => undefined)).toThrow(InvalidArgumentError);
    expect(() => defineProcess('x', {} as never)).toThrow(InvalidArgumentError);
  });

  it('registers names, sends by name and {name, node}, and releases the name on exit', async () => {
    const got = await node.run(async (ctx) => {
      ctx.register('me');
      node.send('me', 1);
      node.send({ name: 'me', node: node.name }, 2);
      return [await ctx.receive(), await ctx.receive(), node.whereis('me')?.equals(ctx.self)];
    });
    expect(got).toEqual([1, 2, true]);
    expect(node.whereis('me')).toBeUndefined();
    expect(node.registered()).not.toContain('me');
  });

  it('send to an unregistered local name throws NoProcError (Erlang badarg)', () => {
    expect(() => node.send('nobody', 'x')).toThrow(NoProcError);
    expect(() => node.send({ name: 'nobody', node: node.name }, 'x')).toThrow(NoProcError);
  });

  it('a message to {name, node} on an unreachable node is dropped silently', () => {
    expect(() => node.send({ name: 'svc', node: 'other@127.0.0.1' }, 'x')).not.toThrow();
  });

  it('refuses a taken name and a second name for one process', () => {
    const a = node.spawn(Idle);
    const b = node.spawn(Idle);
    node.register('a', a);
    expect(() => node.register('a', b)).toThrow(NameTakenError);
    expect(() => node.register('a2', a)).toThrow(AlreadyRegisteredError);
    expect(node.unregister('a')).toBe(true);
    expect(node.unregister('a')).toBe(false);
  });

  it('callback processes: async init and handle keep messages in order', async () => {
    const Seq = defineProcess('seq', {
      async init(_ctx: ProcessContext, owner: ProcessContext['self']) {
        await Promise.resolve();
        return { owner, seen: [] as number[] };
      },
      async handle(ctx, msg, s) {
        await new Promise((r) => setImmediate(r));
        s.seen.push(msg as number);
        if (s.seen.length === 5) ctx.send(s.owner, s.seen);
        return s;
      },
    });
    const seen = await node.run(async (ctx) => {
      const p = ctx.spawn(Seq, ctx.self);
      for (let i = 0; i < 5; i++) ctx.send(p, i);
      return ctx.receive(undefined, { timeout: 2000 });
    });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('terminate runs with the reason and last state, but not after kill', async () => {
    const log: Array<[ExitReason, number]> = [];
    const T = defineProcess('t', {
      init: () => 7,
      handle: (_c, _m, s: number) => s + 1,
      terminate: (_c, reason, s) => {
        log.push([reason, s]);
      },
    });
    const a = node.spawn(T);
    node.send(a, 'x');
    const b = node.spawn(T);
    await waitUntil(() => node.processInfo(a)?.messageQueueLength === 0 && node.processInfo(a)?.status === 'waiting', 'x handled');
    await node.run(async (ctx) => {
      for (const [pid, reason] of [
        [a, ExitReasons.shutdown()],
        [b, ExitReasons.kill],
      ] as const) {
        const ref = ctx.monitor(pid);
        ctx.exit(pid, reason);
        await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 1000 });
      }
    });
    expect(log).toEqual([[{ kind: 'shutdown' }, 8]]);
  });
});

describe('Node.start', () => {
  it('refuses an invalid node name and two different types under one name', async () => {
    await expect(Node.start({ name: 'no-host', cookie: 'x', transport: null })).rejects.toBeInstanceOf(InvalidArgumentError);
    const t1 = defineProcess('dup', async () => undefined);
    const t2 = defineProcess('dup', async () => undefined);
    await expect(Node.start({ name: 'd@127.0.0.1', cookie: 'x', transport: null, types: [t1, t2] })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('Node: timers', () => {
  it('sendAfter delivers later; cancelTimer stops a pending timer', async () => {
    const got = await node.run(async (ctx) => {
      const t1 = ctx.sendAfter(5, ctx.self, 'cancelled');
      ctx.sendAfter(10, ctx.self, 'kept');
      const wasPending = ctx.cancelTimer(t1);
      const m = await ctx.receive(undefined, { timeout: 2000 });
      return { wasPending, m, again: ctx.cancelTimer(t1) };
    });
    expect(got).toEqual({ wasPending: true, m: 'kept', again: false });
  });

  it('timers of a process are cancelled when it exits', async () => {
    let timer: { active: boolean } | undefined;
    await node.run(async (ctx) => {
      timer = ctx.sendAfter(60_000, ctx.self, 'never');
    });
    expect(timer?.active).toBe(false);
  });
});

describe('Node: run, rpc, info, stop', () => {
  it('run resolves with the result, rejects with what the code threw, and times out', async () => {
    expect(await node.run(async () => 42)).toBe(42);
    await expect(node.run(async () => Promise.reject(new RangeError('r')))).rejects.toBeInstanceOf(RangeError);
    await expect(node.run((ctx) => ctx.receive(), { timeout: 10 })).rejects.toBeInstanceOf(TimeoutError);
    const ac = new AbortController();
    const p = node.run((ctx) => ctx.receive(), { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
  });

  it('rpc calls registered functions, built-ins included, with typed errors', async () => {
    expect(await node.rpc(node.name, 'add', [2, 3])).toBe(5);
    expect(await node.rpc(node.name, 'later', ['v'])).toBe('v');
    expect(await node.rpc(node.name, 'sdnode.ping')).toBe('pong');
    expect(await node.rpc(node.name, 'sdnode.info')).toMatchObject({ name: node.name, creation: node.creation });
    await expect(node.rpc(node.name, 'missing')).rejects.toBeInstanceOf(UnknownFunctionError);
    const err = await node.rpc(node.name, 'fail').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteCallError);
    expect((err as RemoteCallError).message).toContain('RangeError: bad range');
  });

  it('rpc to an unreachable node fails with NoConnectionError', async () => {
    await expect(node.rpc('elsewhere@127.0.0.1', 'sdnode.ping')).rejects.toBeInstanceOf(NoConnectionError);
  });

  it('reports processes and node info', async () => {
    const pid = node.spawn(Idle);
    node.register('idle1', pid);
    await waitUntil(() => node.processInfo(pid)?.status === 'waiting', 'idle process waiting');
    expect(node.processInfo(pid)).toMatchObject({ name: 'idle1', type: 'idle', status: 'waiting', messageQueueLength: 0 });
    const info = node.info();
    expect(info).toMatchObject({ name: node.name, nodes: [], processCount: node.processes().length });
    expect(info.stats.spawned).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(JSON.stringify(info))).toMatchObject({ name: node.name });
  });

  it('stop makes every process exit shutdown and refuses new spawns', async () => {
    const reasons: ExitReason[] = [];
    const T = defineProcess('t2', { init: () => 0, handle: (_c, _m, s: number) => s, terminate: (_c, r) => void reasons.push(r) });
    node.spawn(T);
    node.spawn(T);
    await waitUntil(() => node.processes().length >= 3, 'spawned');
    await node.stop();
    expect(reasons).toEqual([{ kind: 'shutdown' }, { kind: 'shutdown' }]);
    expect(node.processes()).toEqual([]);
    expect(() => node.spawn(T)).toThrow(NodeStoppedError);
  });
});
