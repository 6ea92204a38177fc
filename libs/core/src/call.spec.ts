import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CalleeExitError, NoProcError, TimeoutError } from '@sdnode/wire';
import { Node, defineProcess, isCallMessage, type CallMessage, type ProcessContext } from './index.js';
import { localNode } from './wait-until.test-util.js';

let node: Node;
beforeEach(async () => {
  node = await localNode();
});
afterEach(async () => {
  await node.stop();
});

const KV = defineProcess('kv', {
  init: () => new Map<string, unknown>(),
  handle(ctx, msg, state: Map<string, unknown>) {
    if (!isCallMessage(msg)) return state;
    const req = msg.request as { op: string; key: string; value?: unknown };
    if (req.op === 'put') {
      state.set(req.key, req.value);
      ctx.reply(msg, 'ok');
    } else if (req.op === 'get') {
      ctx.reply(msg, state.get(req.key));
    } else if (req.op === 'crash') {
      throw new Error('kv crashed');
    } // 'ignore': never replies
    return state;
  },
});

describe('call', () => {
  it('returns the reply of the callee', async () => {
    const kv = node.spawn(KV);
    expect(await node.call(kv, { op: 'put', key: 'a', value: 1 })).toBe('ok');
    expect(await node.call(kv, { op: 'get', key: 'a' })).toBe(1);
  });

  it('an async callback handler can call another process (the process is busy meanwhile)', async () => {
    const kv = node.spawn(KV);
    const Proxy = defineProcess('proxy', {
      init: (_ctx: ProcessContext, target: typeof kv) => target,
      async handle(ctx, msg, target) {
        if (isCallMessage(msg)) ctx.reply(msg, await ctx.call(target, msg.request));
        return target;
      },
    });
    const proxy = node.spawn(Proxy, kv);
    await node.call(proxy, { op: 'put', key: 'k', value: 'v' });
    expect(await node.call(proxy, { op: 'get', key: 'k' })).toBe('v');
  });

  it('fails with TimeoutError when no reply comes, and a late reply never reaches the mailbox', async () => {
    // On 'answer-now' the callee answers every pending call late, then sends a marker to the
    // same caller: messages from one sender arrive in order, so the marker being the first thing
    // in the caller's mailbox proves the late reply was discarded.
    const Slow = defineProcess('slow', {
      init: () => [] as CallMessage[],
      handle(ctx, msg, pending: CallMessage[]) {
        if (isCallMessage(msg)) return [...pending, msg];
        if (msg === 'answer-now') {
          for (const c of pending) {
            ctx.reply(c, 'late');
            ctx.send(c.from, 'marker');
          }
        }
        return [];
      },
    });
    const slow = node.spawn(Slow);
    const got = await node.run(async (ctx) => {
      const err = await ctx.call(slow, 'q', { timeout: 20 }).catch((e: unknown) => e);
      ctx.send(slow, 'answer-now');
      const first = await ctx.receive(undefined, { timeout: 1000 });
      return { err, first };
    });
    expect(got.err).toBeInstanceOf(TimeoutError);
    expect(got.first).toBe('marker');
  });

  it('fails with NoProcError for a dead callee and an unregistered name', async () => {
    const dead = node.spawnFn(() => undefined);
    await expect(node.call(dead, 'x', { timeout: 1000 })).rejects.toBeInstanceOf(NoProcError);
    await expect(node.call('no_such_name', 'x', { timeout: 1000 })).rejects.toBeInstanceOf(NoProcError);
  });

  it('fails with CalleeExitError carrying the reason when the callee crashes', async () => {
    const kv = node.spawn(KV);
    const err = await node.call(kv, { op: 'crash', key: '' }, { timeout: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalleeExitError);
    expect((err as CalleeExitError).reason).toMatchObject({ kind: 'error', error: { message: 'kv crashed' } });
  });

  it('leaves no monitor behind on the callee after a successful call', async () => {
    const kv = node.spawn(KV);
    await node.call(kv, { op: 'get', key: 'x' });
    expect(node.processInfo(kv)?.monitoredBy).toBe(0);
  });
});
