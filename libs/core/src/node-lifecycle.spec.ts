import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sdnode/wire';
import { Node, defineProcess, isCallMessage, type CoreLogger, type ProcessContext } from './index.js';
import { localNode } from './wait-until.test-util.js';

/** A logger that keeps warnings and errors (messages only). */
function keepingLogger(lines: string[]): CoreLogger {
  const keep = (obj: object, msg?: string) => void lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
  const none = () => undefined;
  const logger: CoreLogger = { debug: none, info: none, warn: keep, error: keep, child: () => logger };
  return logger;
}

const V1 = defineProcess('versioned', {
  init: () => 1,
  handle(ctx: ProcessContext, msg, v) {
    if (isCallMessage(msg)) ctx.reply(msg, v);
    return v;
  },
});
const V2 = defineProcess('versioned', {
  init: () => 2,
  handle(ctx: ProcessContext, msg, v) {
    if (isCallMessage(msg)) ctx.reply(msg, v);
    return v;
  },
});

describe('Node: the type registry', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode('types@127.0.0.1', { types: [V1] });
  });
  afterEach(async () => {
    await node.stop();
  });

  it('looks a type up by name and replaces it: later spawns run the new one, running processes keep theirs', async () => {
    expect(node.processType('versioned')).toBe(V1);
    expect(node.processType('unknown')).toBeUndefined();
    const old = node.spawn('versioned');
    expect(node.replaceType(V2)).toBe(V1);
    expect(node.processType('versioned')).toBe(V2);
    const fresh = node.spawn('versioned');
    expect([await node.call(old, 'v'), await node.call(fresh, 'v')]).toEqual([1, 2]);
  });

  it('refuses to replace a type that is not defined', () => {
    expect(() => node.replaceType(defineProcess('other', { init: () => 0, handle: (_c, _m, s) => s }))).toThrow(InvalidArgumentError);
  });
});

describe('Node: stopping', () => {
  it('runs the shutdown hooks, last added first, before its processes exit, and says why it stops', async () => {
    const lines: string[] = [];
    const node = await localNode('hooks@127.0.0.1', { logger: keepingLogger(lines) });
    const order: string[] = [];
    const worker = node.spawnFn(async (ctx) => {
      await ctx.receive();
    });
    const reasons: (string | null)[] = [];
    node.on('stopping', ({ reason }) => reasons.push(reason));
    node.addShutdownHook('first', () => void order.push(`first (worker alive: ${node.processInfo(worker) !== undefined})`));
    node.addShutdownHook('second', async () => {
      // A hook can still use the node: the temporary process of a call runs.
      order.push(`second ${await node.run(() => 'ran')}`);
    });
    const removed = node.addShutdownHook('removed', () => void order.push('removed'));
    removed();
    await node.stop({ reason: 'application billing exited' });
    expect(order).toEqual(['second ran', 'first (worker alive: true)']);
    expect(reasons).toEqual(['application billing exited']);
    expect(node.processInfo(worker)).toBeUndefined();
    expect(lines.some((l) => l.startsWith('node stopping') && l.includes('application billing exited'))).toBe(true);
  });

  it('goes on stopping when a hook throws or overruns its timeout, and logs it', async () => {
    const lines: string[] = [];
    const node: Node = await localNode('overrun@127.0.0.1', { logger: keepingLogger(lines) });
    node.addShutdownHook('hangs', () => new Promise<void>(() => undefined), { timeout: 20 });
    node.addShutdownHook('throws', () => {
      throw new Error('broken hook');
    });
    const reasons: (string | null)[] = [];
    node.on('stopping', ({ reason }) => reasons.push(reason));
    await node.stop();
    expect(node.isStopped).toBe(true);
    expect(reasons).toEqual([null]);
    expect(lines.some((l) => l.startsWith('shutdown hook failed') && l.includes('throws'))).toBe(true);
    expect(lines.some((l) => l.startsWith('shutdown hook overran') && l.includes('hangs'))).toBe(true);
  });
});
