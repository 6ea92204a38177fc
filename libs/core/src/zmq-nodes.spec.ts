import { afterEach, describe, expect, it } from 'vitest';
import type { Pid } from '@sdnode/wire';
import { Node, defineProcess, isDownMessage, type ProcessContext } from './index.js';
import { waitUntil } from './wait-until.test-util.js';

const Relay = defineProcess('relay', async (ctx: ProcessContext, to: Pid) => {
  for (;;) ctx.send(to, await ctx.receive());
});

describe('two Nodes over the default ZmqTransport in one process (loopback)', () => {
  const started: Node[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.stop()));
  });

  it('connects, sends, spawns remotely, calls rpc, and fires noconnection when the peer stops', async () => {
    const a = await Node.start({ name: 'za@127.0.0.1', cookie: 'zmq-test', types: [Relay] });
    started.push(a);
    const b = await Node.start({ name: 'zb@127.0.0.1', cookie: 'zmq-test', types: [Relay], seeds: { [a.name]: a.address! } });
    started.push(b);
    expect(a.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    await waitUntil(() => a.nodes().includes(b.name) && b.nodes().includes(a.name), 'seed connection up');

    expect(await b.rpc(a.name, 'sdnode.ping')).toBe('pong');
    const got = await b.run(async (ctx) => {
      const relay = await ctx.spawnRemote(a.name, 'relay', [ctx.self]);
      for (let i = 0; i < 100; i++) ctx.send(relay, { i, at: new Date(0), big: 2n ** 70n, pid: ctx.self });
      const out: unknown[] = [];
      for (let i = 0; i < 100; i++) out.push(await ctx.receive(undefined, { timeout: 5000 }));
      return { relay, out };
    });
    expect(got.relay.node).toBe(a.name);
    expect((got.out as Array<{ i: number }>).map((m) => m.i)).toEqual([...Array(100).keys()]);
    expect(got.out[0]).toMatchObject({ at: new Date(0), big: 2n ** 70n });

    const reason = b.run(async (ctx) => {
      const ref = ctx.monitor(got.relay);
      await waitUntil(() => a.processInfo(got.relay)?.monitoredBy === 1, 'monitor on a');
      void a.stop();
      return ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m.reason : undefined), { timeout: 10_000 });
    });
    // a stops: its processes exit `shutdown` and it tells b before closing, or b sees the
    // connection drop first: either way the monitor fires exactly once.
    expect(['shutdown', 'noconnection']).toContain((await reason).kind);
  });
});
