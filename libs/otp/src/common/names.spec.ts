import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NameService, Node } from '@sdnode/core';
import { InvalidArgumentError, NameTakenError, NoProcError, StartError, TimeoutError, type Pid } from '@sdnode/wire';
import { GenServer } from '../gen-server/gen-server.js';
import type { ServerRef } from '../gen-server/types.js';
import { Sys } from './sys.js';
import { FakeNameService } from './fake-name-service.test-util.js';
import { alive, localNode } from '../testing.test-util.js';

/** A counter that tells, from its init, which pid the global service holds under 'x' then. */
interface CounterSpec {
  args: [start: number];
  state: { n: number; heldAtInit: Pid | null };
  calls: { get(): number; heldAtInit(): Pid | null; self(): Pid; callMyself(): string };
  casts: { add(k: number): void };
}

function counterType(inits: { count: number }) {
  return GenServer.define<CounterSpec>('test.named-counter', {
    init(ctx, n) {
      inits.count++;
      return { state: { n, heldAtInit: ctx.node.nameService('global')?.whereisName('x') ?? null } };
    },
    handleCall: {
      get: ({ state }) => ({ reply: state.n, state }),
      heldAtInit: ({ state }) => ({ reply: state.heldAtInit, state }),
      self: ({ ctx, state }) => ({ reply: ctx.self, state }),
      async callMyself({ ctx, state }) {
        const e = (await GenServer.call(ctx, { global: 'x' } as ServerRef<CounterSpec>, 'get').catch((x: unknown) => x)) as Error;
        return { reply: e.constructor.name, state };
      },
    },
    handleCast: { add: ({ state }, k) => ({ state: { ...state, n: state.n + k } }) },
  });
}

describe('Registry names: starting and calling a GenServer by a name in a name service', () => {
  let node: Node;
  let global: FakeNameService;
  let inits: { count: number };
  let Counter: ReturnType<typeof counterType>;
  beforeEach(async () => {
    inits = { count: 0 };
    Counter = counterType(inits);
    node = await localNode({ types: [Counter] });
    global = new FakeNameService(node);
    node.registerNameService(global);
  });
  afterEach(async () => {
    await node.stop();
  });

  it('starts a server under { global } and calls, casts, inspects and stops it by that name', async () => {
    const pid = await Counter.start(node, [1], { name: { global: 'x' } });
    expect(global.whereisName('x')?.equals(pid)).toBe(true);
    expect(await GenServer.call(node, Counter.ref({ global: 'x' }), 'get')).toBe(1);
    GenServer.cast(node, Counter.ref({ global: 'x' }), 'add', [2]);
    expect(await Counter.client(node, { global: 'x' }).call.get()).toBe(3);
    expect(await Sys.getState(node, { global: 'x' })).toMatchObject({ n: 3 });
    await GenServer.stop(node, { global: 'x' });
    expect(alive(node, pid)).toBe(false);
  });

  it('registers the name before init runs', async () => {
    const pid = await Counter.start(node, [0], { name: { global: 'x' } });
    expect((await GenServer.call(node, pid, 'heldAtInit'))?.equals(pid)).toBe(true);
  });

  it('fails a second start under a taken name with NameTakenError naming the holder, without running init', async () => {
    const first = await Counter.start(node, [1], { name: { global: 'x' } });
    const crashed = node.info().stats.crashed;
    const e = (await Counter.start(node, [2], { name: { global: 'x' } }).catch((x: unknown) => x)) as NameTakenError;
    expect(e).toBeInstanceOf(NameTakenError);
    expect(e.details).toEqual({ name: '{global,x}', holder: first.toString() });
    expect(inits.count).toBe(1);
    // The refused process is gone, and it exited normal (not counted as a crash).
    const refused = global.registrations[1]!.pid;
    expect(refused.equals(first)).toBe(false);
    expect(alive(node, refused)).toBe(false);
    expect(node.info().stats.crashed).toBe(crashed);
    expect(await GenServer.call(node, Counter.ref({ global: 'x' }), 'get')).toBe(1);
  });

  it('fails a start under a scope that has no name service on the node with InvalidArgumentError naming the scope', async () => {
    const before = node.processes().length;
    const e = (await Counter.start(node, [0], { name: { scope: 'g9', name: 'x' } }).catch((x: unknown) => x)) as InvalidArgumentError;
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain('"g9"');
    expect(node.processes().length).toBe(before);
    expect(inits.count).toBe(0);
  });

  it('fails a start under { global } on a node without a global name service', async () => {
    const bare = await localNode({ types: [Counter] }, 'bare@127.0.0.1');
    try {
      await expect(Counter.start(bare, [0], { name: { global: 'x' } })).rejects.toThrow(/no name service "global"/);
    } finally {
      await bare.stop();
    }
  });

  it('fails a call to a name nobody holds with NoProcError carrying the name and scope; a cast is dropped', async () => {
    const e = (await GenServer.call(node, Counter.ref({ global: 'nobody' }), 'get').catch((x: unknown) => x)) as NoProcError;
    expect(e).toBeInstanceOf(NoProcError);
    expect(e.details).toEqual({ target: '{global,nobody}', name: 'nobody', scope: 'global' });
    expect(() => GenServer.cast(node, Counter.ref({ global: 'nobody' }), 'add', [1])).not.toThrow();
    await expect(Sys.getState(node, { scope: 'global', name: 'nobody' })).rejects.toBeInstanceOf(NoProcError);
  });

  it('fails a call through a scope that has no name service on the node with InvalidArgumentError', async () => {
    await expect(GenServer.call(node, Counter.ref({ scope: 'g9', name: 'x' }), 'get')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => GenServer.cast(node, Counter.ref({ scope: 'g9', name: 'x' }), 'add', [1])).toThrow(InvalidArgumentError);
  });

  it('resolves { scope, name } with the service of that scope only', async () => {
    const g1 = new FakeNameService(node, 'g1');
    node.registerNameService(g1);
    const pid = await Counter.start(node, [5], { name: { scope: 'g1', name: 'x' } });
    expect(g1.whereisName('x')?.equals(pid)).toBe(true);
    expect(global.whereisName('x')).toBeUndefined();
    expect(await GenServer.call(node, Counter.ref({ scope: 'g1', name: 'x' }), 'get')).toBe(5);
    await expect(GenServer.call(node, Counter.ref({ global: 'x' }), 'get')).rejects.toBeInstanceOf(NoProcError);
  });

  it('starts and calls through { via: svc, name } with a service the node does not know', async () => {
    const svc = new FakeNameService(node, 'private');
    const pid = await Counter.start(node, [7], { name: { via: svc, name: 'p' } });
    expect(svc.whereisName('p')?.equals(pid)).toBe(true);
    expect(node.nameService('private')).toBeUndefined();
    expect(await GenServer.call(node, Counter.ref({ via: svc, name: 'p' }), 'get')).toBe(7);
    await expect(Counter.start(node, [8], { name: { via: svc, name: 'p' } })).rejects.toBeInstanceOf(NameTakenError);
    await GenServer.stop(node, { via: svc, name: 'p' });
    await expect(GenServer.call(node, Counter.ref({ via: svc, name: 'p' }), 'get')).rejects.toBeInstanceOf(NoProcError);
  });

  it('resolves the name at each call: after a server exits, the name reaches the next one started under it', async () => {
    const first = await Counter.start(node, [1], { name: { global: 'x' } });
    await GenServer.stop(node, first);
    // Nobody unregistered the name: the service dropped it because its holder died.
    await expect(GenServer.call(node, Counter.ref({ global: 'x' }), 'get')).rejects.toBeInstanceOf(NoProcError);
    const second = await Counter.start(node, [2], { name: { global: 'x' } });
    expect(await GenServer.call(node, Counter.ref({ global: 'x' }), 'self')).toEqual(second);
  });

  it('refuses a call from a server to its own registry name', async () => {
    await Counter.start(node, [1], { name: { global: 'x' } });
    expect(await GenServer.call(node, Counter.ref({ global: 'x' }), 'callMyself')).toBe('InvalidArgumentError');
  });

  it('kills a start whose registration does not finish in time, and init never runs even if it then succeeds', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let registering: Pid | null = null;
    const slow: NameService = {
      scopeName: 'slow',
      registerName: async (_name, pid) => {
        registering = pid;
        await gate;
        return { ok: true };
      },
      unregisterName: async () => undefined,
      whereisName: () => undefined,
    };
    await expect(Counter.start(node, [0], { name: { via: slow, name: 'x' }, timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    expect(registering).not.toBeNull();
    expect(alive(node, registering!)).toBe(false);
    open();
    await new Promise((r) => setTimeout(r, 20));
    expect(inits.count).toBe(0);
  });

  it('fails the start with StartError when the service refuses for another reason or throws', async () => {
    const refusing: NameService = {
      scopeName: 'odd',
      registerName: async () => ({ ok: false, reason: 'already_named', name: 'other' }),
      unregisterName: async () => undefined,
      whereisName: () => undefined,
    };
    const e = (await Counter.start(node, [0], { name: { via: refusing, name: 'x' } }).catch((x: unknown) => x)) as StartError;
    expect(e).toBeInstanceOf(StartError);
    expect(e.reason).toMatchObject({ kind: 'error', error: { code: 'EALREADYREGISTERED' } });
    const broken: NameService = { ...refusing, registerName: () => Promise.reject(new Error('registry down')) };
    await expect(Counter.start(node, [0], { name: { via: broken, name: 'x' } })).rejects.toMatchObject({ reason: { error: { message: 'registry down' } } });
    expect(inits.count).toBe(0);
  });

  it('refuses malformed names, and a via name for a start on another node', async () => {
    await expect(Counter.start(node, [0], { name: { global: '' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Counter.start(node, [0], { name: { via: {} as NameService, name: 'x' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(GenServer.call(node, Counter.ref({ scope: 'g1' } as never), 'get')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Counter.start(node, [0], { name: { via: global, name: 'x' }, node: 'other@127.0.0.1' })).rejects.toThrow(/cannot be sent to another node/);
  });
});
