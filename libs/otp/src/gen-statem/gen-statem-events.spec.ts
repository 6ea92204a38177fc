import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDownMessage, type Node } from '@sdnode/core';
import { CalleeExitError, type Pid } from '@sdnode/wire';
import { GenStatem } from './gen-statem.js';
import type { Action, StatemEvent } from './types.js';
import { localNode, next } from '../testing.test-util.js';

/**
 * Two states, A and B. In A, `a…` events are handled and `b…` ones postponed; in B the reverse;
 * `toggle` switches state. Handled events are recorded in the data; a `dump` call returns them.
 */
const Sorter = GenStatem.define<{ state: 'A' | 'B'; data: string[] }>('test.sorter', {
  init: () => ({ state: 'A', data: [] }),
  handleEvent({ state, data }, event) {
    if (event.type === 'call') return { keep: true, actions: [{ reply: event.from, value: data }] };
    if (event.type === 'enter') return 'keep';
    const e = String(event.content);
    if (e === 'toggle') {
      const to = state === 'A' ? 'B' : 'A';
      return { next: to, data: [...data, `toggle->${to}`] };
    }
    if (e.startsWith(state.toLowerCase())) return { keep: true, data: [...data, `${e}@${state}`] };
    return { keep: true, actions: ['postpone'] };
  },
});

/** Erlang's postpone semantics, computed directly: postponed events are retried after a state change, first. */
function model(events: readonly string[]): string[] {
  let state: 'A' | 'B' = 'A';
  let postponed: string[] = [];
  const queue = [...events];
  const out: string[] = [];
  while (queue.length > 0) {
    const e = queue.shift()!;
    if (e === 'toggle') {
      state = state === 'A' ? 'B' : 'A';
      out.push(`toggle->${state}`);
      queue.unshift(...postponed);
      postponed = [];
    } else if (e.startsWith(state.toLowerCase())) {
      out.push(`${e}@${state}`);
    } else {
      postponed.push(e);
    }
  }
  return out;
}

describe('GenStatem: postpone (property)', () => {
  let node: Node;
  beforeAll(async () => {
    node = await localNode({ types: [Sorter] });
  });
  afterAll(async () => {
    await node.stop();
  });

  it('handles events in the order of the postpone model for any event sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('a', 'b', 'toggle'), { maxLength: 40 }), async (kinds) => {
        const events = kinds.map((k, i) => (k === 'toggle' ? k : `${k}${i}`));
        const pid = await Sorter.start(node, []);
        try {
          const got = await node.run(async (ctx) => {
            for (const e of events) GenStatem.cast(ctx, pid, e);
            return GenStatem.call<string[]>(ctx, pid, 'dump');
          });
          expect(got).toEqual(model(events));
        } finally {
          await GenStatem.stop(node, pid);
        }
      }),
      { numRuns: 60 },
    );
  });
});

/** Runs the actions its casts carry and logs every event to `log`. */
const Actor = GenStatem.define<{ args: [log: Pid]; state: string; data: Pid }>('test.actor', {
  init: (_ctx, log) => ({ state: 'idle', data: log }),
  handleEvent({ ctx, data }, event: StatemEvent<string>) {
    if (event.type !== 'enter') ctx.send(data, `${event.type}${'name' in event ? `:${event.name}` : ''} ${String(event.content)}`);
    if (event.type === 'cast' && typeof event.content === 'object' && event.content !== null) {
      const { next: to, actions } = event.content as { next?: string; actions: Action[] };
      return to === undefined ? { keep: true, actions } : { next: to, actions };
    }
    return 'keep';
  },
});

const strings = (m: unknown): string | undefined => (typeof m === 'string' ? m : undefined);
const quiet = (ctx: Parameters<Parameters<Node['run']>[0]>[0], ms = 40) => ctx.receive(strings, { timeout: ms, onTimeout: () => 'quiet' });

describe('GenStatem: inserted events and timeouts', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode({ types: [Actor] });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('handles nextEvent actions in order, before any message already in the mailbox', async () => {
    const log = await node.run(async (ctx) => {
      const m = await Actor.start(ctx, [ctx.self]);
      GenStatem.cast(ctx, m, { actions: [{ nextEvent: 'first' }, { nextEvent: 'second', type: 'info' }] });
      ctx.send(m, 'mailbox');
      return [await next(ctx, strings), await next(ctx, strings), await next(ctx, strings), await next(ctx, strings)];
    });
    expect(log).toEqual(['cast [object Object]', 'internal first', 'info second', 'info mailbox']);
  });

  it('fires an event timeout only if no event arrives first; Infinity cancels it', async () => {
    const log = await node.run(async (ctx) => {
      const m = await Actor.start(ctx, [ctx.self]);
      GenStatem.cast(ctx, m, { actions: [{ timeout: 5, content: 'idle' }] });
      const out = [await next(ctx, strings), await next(ctx, strings)];
      GenStatem.cast(ctx, m, { actions: [{ timeout: 10_000, content: 'never' }] });
      ctx.send(m, 'an event');
      out.push(await next(ctx, strings), await next(ctx, strings), await quiet(ctx));
      GenStatem.cast(ctx, m, { actions: [{ timeout: 20, content: 'x' }, { timeout: Infinity }] });
      out.push(await next(ctx, strings), await quiet(ctx));
      return out;
    });
    expect(log).toEqual(['cast [object Object]', 'timeout idle', 'cast [object Object]', 'info an event', 'quiet', 'cast [object Object]', 'quiet']);
  });

  it('cancels an event timeout requested while inserted events are queued', async () => {
    const log = await node.run(async (ctx) => {
      const m = await Actor.start(ctx, [ctx.self]);
      GenStatem.cast(ctx, m, { actions: [{ timeout: 0, content: 'lost' }, { nextEvent: 'inserted' }] });
      return [await next(ctx, strings), await next(ctx, strings), await quiet(ctx)];
    });
    expect(log).toEqual(['cast [object Object]', 'internal inserted', 'quiet']);
  });

  it('keeps generic timeouts across state changes, replaces them by name and cancels them with Infinity', async () => {
    const log = await node.run(async (ctx) => {
      const m = await Actor.start(ctx, [ctx.self]);
      GenStatem.cast(ctx, m, { actions: [{ genericTimeout: 'g1', ms: 10, content: 'one' }, { genericTimeout: 'g2', ms: 10_000, content: 'two' }] });
      GenStatem.cast(ctx, m, { next: 'busy', actions: [{ genericTimeout: 'g2', ms: 15, content: 'two again' }, { stateTimeout: 10_000 }] });
      const out = [await next(ctx, strings), await next(ctx, strings), await next(ctx, strings), await next(ctx, strings)];
      GenStatem.cast(ctx, m, { actions: [{ genericTimeout: 'g3', ms: 10, content: 'three' }] });
      GenStatem.cast(ctx, m, { actions: [{ genericTimeout: 'g3', ms: Infinity }] });
      out.push(await next(ctx, strings), await next(ctx, strings), await quiet(ctx));
      return out;
    });
    expect(log).toEqual([
      'cast [object Object]',
      'cast [object Object]',
      'generic_timeout:g1 one',
      'generic_timeout:g2 two again',
      'cast [object Object]',
      'cast [object Object]',
      'quiet',
    ]);
  });

  it('crashes with BadReturnError on an illegal action, and on postpone or a state change in an enter call', async () => {
    const Strict = GenStatem.define<{ state: string; data: null }>('test.strict', {
      init: () => ({ state: 's', data: null }),
      handleEvent: (_env, event) => (event.type === 'call' ? { keep: true, actions: [{ frobnicate: true } as never] } : 'keep'),
    });
    const Enter = GenStatem.define<{ state: string; data: null }>('test.enter-bad', {
      init: () => ({ state: 's', data: null }),
      stateEnter: true,
      handleEvent({ state }, event) {
        if (event.type !== 'enter') return { next: String(event.content) };
        if (state === 'change') return { next: 'elsewhere' };
        if (state === 'postpone') return { keep: true, actions: ['postpone'] };
        return 'keep';
      },
    });
    const a = await Strict.start(node, []);
    const e1 = (await GenStatem.call(node, a, 'x').catch((x: unknown) => x)) as CalleeExitError;
    expect(e1.reason).toMatchObject({ kind: 'error', error: { code: 'EBADRETURN' } });
    for (const bad of ['change', 'postpone']) {
      const m = await Enter.start(node, []);
      const reason = await node.run(async (ctx) => {
        const ref = ctx.monitor(m);
        GenStatem.cast(ctx, m, bad);
        return next(ctx, (x) => (isDownMessage(x) && x.ref.equals(ref) ? x.reason : undefined));
      });
      expect(reason).toMatchObject({ kind: 'error', error: { code: 'EBADRETURN' } });
    }
  });
});
