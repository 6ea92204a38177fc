import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDownMessage, type Node } from '@sdnode/core';
import { CalleeExitError, ExitReasons, StartError, type Pid } from '@sdnode/wire';
import { GenStatem } from './gen-statem.js';
import { Sys } from '../common/sys.js';
import { localNode, next, waitUntil } from '../testing.test-util.js';

/** A code lock (the gen_statem manual's example): enter the code to open; it locks again after a while. */
interface LockSpec {
  args: [code: string, openMs: number, log: Pid];
  state: 'locked' | 'open';
  data: { code: string; typed: string; openMs: number; log: Pid };
}

const Lock = GenStatem.define<LockSpec>('test.lock', {
  init: (_ctx, code, openMs, log) => ({ state: 'locked', data: { code, typed: '', openMs, log } }),
  stateEnter: true,
  states: {
    locked({ ctx, data }, event) {
      switch (event.type) {
        case 'enter':
          ctx.send(data.log, `enter locked from ${event.oldState}`);
          return { keep: true, data: { ...data, typed: '' } };
        case 'call': {
          const typed = data.typed + String(event.content);
          if (typed === data.code) return { next: 'open', data: { ...data, typed: '' }, actions: [{ reply: event.from, value: 'open' }] };
          return { keep: true, data: { ...data, typed }, actions: [{ reply: event.from, value: 'locked' }] };
        }
        default:
          return 'keep';
      }
    },
    open({ ctx, data }, event) {
      switch (event.type) {
        case 'enter':
          ctx.send(data.log, `enter open from ${event.oldState}`);
          return { keep: true, actions: [{ stateTimeout: data.openMs, content: 'lock' }] };
        case 'state_timeout':
          ctx.send(data.log, `state_timeout ${String(event.content)}`);
          return { next: 'locked' };
        case 'call':
          if (event.content === 'lock') return { next: 'locked', actions: [{ reply: event.from, value: 'locked' }] };
          return { keep: true, actions: [{ reply: event.from, value: 'open' }] };
        default:
          return 'keep';
      }
    },
  },
  terminate: ({ ctx, state, data }, reason) => ctx.send(data.log, `terminate ${state} ${reason.kind}`),
});

/** Handle-event mode, with object states: `{ level }`; an equal object is the same state. */
interface MeterSpec {
  args: [log: Pid];
  state: { level: number };
  data: Pid;
}
const Meter = GenStatem.define<MeterSpec>('test.meter', {
  init: (_ctx, log) => ({ state: { level: 0 }, data: log }),
  stateEnter: true,
  handleEvent({ ctx, state, data }, event) {
    if (event.type === 'enter') {
      ctx.send(data, `enter ${state.level}`);
      return 'keep';
    }
    if (event.type === 'cast') {
      const n = event.content as number | 'repeat';
      return n === 'repeat' ? { repeat: true } : { next: { level: n } };
    }
    if (event.type === 'call') return { keep: true, actions: [{ reply: event.from, value: state.level }] };
    return 'keep';
  },
});

const strings = (m: unknown): string | undefined => (typeof m === 'string' ? m : undefined);

describe('GenStatem: modes, enter calls, replies', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode({ types: [Lock, Meter] });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('runs the enter call at init and on each state change, and answers calls through reply actions', async () => {
    const log = await node.run(async (ctx) => {
      const lock = await Lock.start(ctx, ['12', 10_000, ctx.self]);
      const out = [await next(ctx, strings)];
      out.push(await GenStatem.call<string>(ctx, lock, '1'));
      out.push(await GenStatem.call<string>(ctx, lock, '2'));
      out.push(await next(ctx, strings));
      out.push(await GenStatem.call<string>(ctx, lock, 'lock'));
      out.push(await next(ctx, strings));
      return out;
    });
    expect(log).toEqual(['enter locked from locked', 'locked', 'open', 'enter open from locked', 'locked', 'enter locked from open']);
  });

  it('fires the state timeout set in the enter call, and a state change cancels it', async () => {
    const log = await node.run(async (ctx) => {
      const lock = await Lock.start(ctx, ['7', 15, ctx.self]);
      await next(ctx, strings);
      await GenStatem.call(ctx, lock, '7');
      const out = [await next(ctx, strings), await next(ctx, strings), await next(ctx, strings)];
      // Another lock that stays open 150 ms, locked by hand before that: no state_timeout may follow.
      const slow = await Lock.start(ctx, ['7', 150, ctx.self]);
      await next(ctx, strings);
      await GenStatem.call(ctx, slow, '7');
      await next(ctx, strings);
      await GenStatem.call(ctx, slow, 'lock');
      out.push(await next(ctx, strings));
      out.push(await ctx.receive(strings, { timeout: 250, onTimeout: () => 'no timeout' }));
      return out;
    });
    expect(log).toEqual(['enter open from locked', 'state_timeout lock', 'enter locked from open', 'enter locked from open', 'no timeout']);
  });

  it('compares states structurally in handle-event mode: an equal state is no change, repeat runs enter again', async () => {
    const log = await node.run(async (ctx) => {
      const meter = await Meter.start(ctx, [ctx.self]);
      GenStatem.cast(ctx, meter, 0); // { level: 0 } again: no enter call
      GenStatem.cast(ctx, meter, 3);
      GenStatem.cast(ctx, meter, 'repeat');
      expect(await GenStatem.call(ctx, meter, 'level?')).toBe(3);
      return [await next(ctx, strings), await next(ctx, strings), await next(ctx, strings)];
    });
    expect(log).toEqual(['enter 0', 'enter 3', 'enter 3']);
  });

  it('stops with reply actions: the caller gets its reply, terminate sees state and data', async () => {
    const Stopper = GenStatem.define<{ args: [log: Pid]; state: 'on'; data: Pid }>('test.stopper', {
      init: (_ctx, log) => ({ state: 'on', data: log }),
      states: { on: (_env, event) => (event.type === 'call' ? { stop: ExitReasons.other('asked'), actions: [{ reply: event.from, value: 'bye' }] } : 'keep') },
      terminate: ({ ctx, state, data }, reason) => ctx.send(data, { terminated: state, reason }),
    });
    const got = await node.run(async (ctx) => {
      const m = await Stopper.start(ctx, [ctx.self]);
      const ref = ctx.monitor(m);
      const reply = await GenStatem.call(ctx, m, 'stop');
      const terminated = await next(ctx, (x) => (x as { terminated?: string }).terminated !== undefined ? x : undefined);
      const down = await next(ctx, (x) => (isDownMessage(x) && x.ref.equals(ref) ? x.reason : undefined));
      return { reply, terminated, down };
    });
    expect(got).toEqual({ reply: 'bye', terminated: { terminated: 'on', reason: { kind: 'other', value: 'asked' } }, down: { kind: 'other', value: 'asked' } });
  });

  it('reports init stop and ignore to the starter', async () => {
    const Picky = GenStatem.define<{ args: [ok: boolean | 'ignore']; state: 's'; data: null }>('test.picky', {
      init: (_ctx, ok) => (ok === 'ignore' ? { ignore: true } : ok ? { state: 's', data: null } : { stop: ExitReasons.other('not today') }),
      states: { s: () => 'keep' },
    });
    await expect(Picky.start(node, [true])).resolves.toBeDefined();
    await expect(Picky.start(node, [false])).rejects.toMatchObject({ reason: { kind: 'other', value: 'not today' } });
    const ignored = (await Picky.start(node, ['ignore']).catch((e: unknown) => e)) as StartError;
    expect(ignored.ignored).toBe(true);
  });

  it('exposes { state, data } to Sys, and stops with GenStatem.stop', async () => {
    const log = node.spawnFn(async (c) => void (await c.receive(() => undefined)));
    const lock = await Lock.start(node, ['1', 1000, log]);
    expect(await Sys.getState(node, lock)).toEqual({ state: 'locked', data: { code: '1', typed: '', openMs: 1000, log } });
    await Sys.replaceState<{ state: string; data: LockSpec['data'] }>(node, lock, (s) => ({ state: 'open', data: s.data }));
    expect(await GenStatem.call(node, lock, 'x')).toBe('open');
    await GenStatem.stop(node, lock, ExitReasons.shutdown());
    await waitUntil(() => node.processInfo(lock) === undefined, 'stopped');
    await expect(GenStatem.call(node, lock, 'x')).rejects.toMatchObject({ code: 'ENOPROC' });
  });

  it('runs init actions (an inserted event) and switches implementation with codeChange', async () => {
    interface CountSpec {
      state: 'counting';
      data: number;
    }
    const V1 = GenStatem.define<CountSpec>(
      'test.count',
      {
        init: () => ({ state: 'counting', data: 0, actions: [{ nextEvent: 'boot' }] }),
        handleEvent: ({ data }, event) =>
          event.type === 'call' ? { keep: true, actions: [{ reply: event.from, value: `v1 ${data}` }] } : { keep: true, data: data + 1 },
      },
      { vsn: 'v1' },
    );
    const V2 = GenStatem.define<CountSpec>(
      'test.count',
      {
        init: () => ({ state: 'counting', data: 0 }),
        handleEvent: ({ data }, event) => (event.type === 'call' ? { keep: true, actions: [{ reply: event.from, value: `v2 ${data}` }] } : 'keep'),
        codeChange: ({ state, data }, oldVsn) => ({ state: state as 'counting', data: oldVsn === 'v1' ? (data as number) * 100 : 0 }),
      },
      { vsn: 'v2' },
    );
    const m = await V1.start(node, []);
    expect(await GenStatem.call(node, m, 'n')).toBe('v1 1'); // the inserted 'boot' event ran first
    await Sys.changeCode(node, m, V2);
    expect(await GenStatem.call(node, m, 'n')).toBe('v2 100');
  });

  it('crashes on a call to a state without a state function; the caller gets CalleeExitError', async () => {
    const Partial = GenStatem.define<{ state: 'a' | 'b'; data: null }>('test.partial', {
      init: () => ({ state: 'a', data: null }),
      states: { a: () => ({ next: 'b' }) } as never,
    });
    const m = await Partial.start(node, []);
    GenStatem.cast(node, m, 'go');
    const e = (await GenStatem.call(node, m, 'x').catch((x: unknown) => x)) as CalleeExitError;
    expect(e).toBeInstanceOf(CalleeExitError);
    expect(e.reason).toMatchObject({ kind: 'error', error: { code: 'EUNKNOWNREQUEST' } });
  });
});
