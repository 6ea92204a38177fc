import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CalleeExitError,
  ExitReasons,
  NoConnectionError,
  NoProcError,
  RemoteCallError,
  TimeoutError,
  UnknownFunctionError,
  UnknownProcessTypeError,
  type ExitReason,
  type Pid,
} from '@sdnode/wire';
import type { MemoryNetwork } from '@sdnode/transport';
import { Node, defineProcess, isCallMessage, isDownMessage, isExitMessage, type ProcessContext } from './index.js';
import { memoryCluster, waitUntil } from './wait-until.test-util.js';

/** Waits for 'stop', then exits normal. */
const Idle = defineProcess('idle', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

/** Forwards every message to `to`. */
const Relay = defineProcess('relay', async (ctx: ProcessContext, to: Pid) => {
  for (;;) ctx.send(to, await ctx.receive());
});

/** Crashes with the message it receives. */
const Crasher = defineProcess('crasher', async (ctx: ProcessContext) => {
  const m = await ctx.receive();
  throw new Error(String(m));
});

const Echo = defineProcess('echo', {
  init: () => null,
  handle(ctx, msg) {
    if (isCallMessage(msg)) ctx.reply(msg, { echo: msg.request });
    return null;
  },
});

const types = [Idle, Relay, Crasher, Echo];

function downReason(ctx: ProcessContext, ref: { key: string }, timeout = 3000): Promise<ExitReason> {
  return ctx.receive((m) => (isDownMessage(m) && m.ref.key === ref.key ? m.reason : undefined), { timeout });
}

for (const encode of [false, true]) {
  describe(`distribution over MemoryTransport (encode: ${encode})`, () => {
    let network: MemoryNetwork;
    let a: Node;
    let b: Node;
    let stop: () => Promise<void>;

    beforeEach(async () => {
      const c = await memoryCluster(['a', 'b'], { encode, nodeOptions: { types, functions: { add: (x: number, y: number) => x + y, boom: () => { throw new TypeError('boom'); } } } });
      ({ network, stop } = c);
      [a, b] = c.nodes as [Node, Node];
    });
    afterEach(async () => {
      await stop();
    });

    it('sends to a remote pid and to {name, node}, connecting on first use, in order', async () => {
      const got = await a.run(async (ctx) => {
        const relay = b.spawn(Relay, ctx.self);
        b.register('relay', relay);
        for (let i = 0; i < 50; i++) ctx.send(i % 2 === 0 ? relay : { name: 'relay', node: b.name }, { i, pid: ctx.self });
        const out: number[] = [];
        for (let i = 0; i < 50; i++) out.push(((await ctx.receive(undefined, { timeout: 3000 })) as { i: number }).i);
        return out;
      });
      expect(got).toEqual([...Array(50).keys()]);
      expect(a.nodes()).toEqual([b.name]);
    });

    it('calls a remote process and an rpc function, with typed errors', async () => {
      const echo = b.spawn(Echo);
      expect(await a.call(echo, [1, 'two'])).toEqual({ echo: [1, 'two'] });
      expect(await a.rpc(b.name, 'add', [20, 22])).toBe(42);
      expect(await a.rpc(b.name, 'sdnode.ping')).toBe('pong');
      expect(await a.rpc(b.name, 'sdnode.info')).toMatchObject({ name: b.name, nodes: [a.name] });
      await expect(a.rpc(b.name, 'nope')).rejects.toBeInstanceOf(UnknownFunctionError);
      const err = await a.rpc(b.name, 'boom').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RemoteCallError);
      expect(String((err as Error).message)).toContain('TypeError: boom');
    });

    it('monitors a remote process: DOWN with the reason; noproc for dead pids and unknown names', async () => {
      const got = await a.run(async (ctx) => {
        const victim = b.spawn(Crasher);
        const ref = ctx.monitor(victim);
        // The MONITOR frame is ahead of the message on the same connection, so it is set up first.
        ctx.send(victim, 'remote crash');
        const reason = await downReason(ctx, ref);
        const again = await downReason(ctx, ctx.monitor(victim));
        const byName = await downReason(ctx, ctx.monitor({ name: 'nobody', node: b.name }));
        return { reason, again, byName };
      });
      expect(got.reason).toMatchObject({ kind: 'error', error: { message: 'remote crash' } });
      expect(got.again).toEqual({ kind: 'noproc' });
      expect(got.byName).toEqual({ kind: 'noproc' });
    });

    it('demonitor of a remote monitor removes it on the target node', async () => {
      const target = b.spawn(Idle);
      await a.run(async (ctx) => {
        const ref = ctx.monitor(target);
        await waitUntil(() => b.processInfo(target)?.monitoredBy === 1, 'monitor set up on b');
        ctx.demonitor(ref);
        await waitUntil(() => b.processInfo(target)?.monitoredBy === 0, 'monitor removed on b');
      });
    });

    it('links across nodes propagate exits both ways; a trapping process gets EXIT', async () => {
      const got = await a.run(async (ctx) => {
        ctx.trapExit(true);
        const victim = b.spawn(Crasher);
        ctx.link(victim);
        await waitUntil(() => (b.processInfo(victim)?.links.length ?? 0) === 1, 'link set up on b');
        ctx.send(victim, 'linked crash');
        const m = await ctx.receive((x) => (isExitMessage(x) ? x : undefined), { timeout: 3000 });
        // Now the other direction: a process here crashes, its remote linked partner dies.
        const partner = b.spawn(Idle);
        const local = ctx.spawnFn(async (c) => {
          c.link(partner);
          await c.receive();
          throw new Error('local crash');
        });
        await waitUntil(() => (b.processInfo(partner)?.links.length ?? 0) === 1, 'link set up on b');
        const ref = ctx.monitor(partner);
        ctx.send(local, 'go');
        return { from: m.from.equals(victim), reason: m.reason, partner: await downReason(ctx, ref) };
      });
      expect(got.from).toBe(true);
      expect(got.reason).toMatchObject({ kind: 'error', error: { message: 'linked crash' } });
      expect(got.partner).toMatchObject({ kind: 'error', error: { message: 'local crash' } });
    });

    it('linking to a dead remote pid gives noproc; exit(pid, kill) kills a remote trapping process', async () => {
      const got = await a.run(async (ctx) => {
        ctx.trapExit(true);
        const dead = b.spawnFn(() => undefined);
        await downReason(ctx, ctx.monitor(dead));
        ctx.link(dead);
        const m = await ctx.receive((x) => (isExitMessage(x) ? x : undefined), { timeout: 3000 });
        const trapper = b.spawnFn(async (c) => {
          c.trapExit(true);
          await c.receive((x) => (x === 'never' ? x : undefined));
        });
        const ref = ctx.monitor(trapper);
        ctx.exit(trapper, ExitReasons.kill);
        return { link: m.reason, killed: await downReason(ctx, ref) };
      });
      expect(got).toEqual({ link: { kind: 'noproc' }, killed: { kind: 'killed' } });
    });

    it('spawns on a remote node by type name, with an atomic link', async () => {
      const got = await a.run(async (ctx) => {
        ctx.trapExit(true);
        const pid = await ctx.spawnRemote(b.name, 'crasher', [], { link: true });
        ctx.send(pid, 'child crash');
        const m = await ctx.receive((x) => (isExitMessage(x) ? x : undefined), { timeout: 3000 });
        return { node: pid.node, from: m.from.equals(pid), reason: m.reason };
      });
      expect(got).toMatchObject({ node: b.name, from: true, reason: { kind: 'error', error: { message: 'child crash' } } });
    });

    it('remote spawn of an unknown type fails with UnknownProcessTypeError; registers with name', async () => {
      await expect(a.spawnRemote(b.name, 'no-such-type', [])).rejects.toBeInstanceOf(UnknownProcessTypeError);
      const pid = await a.spawnRemote(b.name, 'idle', [], { name: 'named_idle' });
      expect(b.whereis('named_idle')?.equals(pid)).toBe(true);
    });

    it('on nodedown: monitors fire noconnection, links break, pending calls fail', async () => {
      const silent = b.spawn(Idle); // never answers calls
      const linked = b.spawn(Idle);
      const got = await a.run(async (ctx) => {
        ctx.trapExit(true);
        const ref = ctx.monitor(silent);
        ctx.link(linked);
        await waitUntil(() => b.processInfo(linked)?.links.length === 1, 'link set up on b');
        const caller = a.call(silent, 'hello?', { timeout: 10_000 }).catch((e: unknown) => e);
        await waitUntil(() => b.processInfo(silent)?.messageQueueLength === 1, 'call request arrived');
        network.partition(a.name, b.name);
        const down = await downReason(ctx, ref);
        const exit = await ctx.receive((x) => (isExitMessage(x) ? x.reason : undefined), { timeout: 3000 });
        return { down, exit, call: await caller };
      });
      expect(got.down).toEqual({ kind: 'noconnection' });
      expect(got.exit).toEqual({ kind: 'noconnection' });
      expect(got.call).toBeInstanceOf(NoConnectionError);
      // b's side: the process linked to a's process died of the broken link (it does not trap
      // exits), and the monitor a's process held on `silent` is gone.
      await waitUntil(() => b.processInfo(linked) === undefined && b.processInfo(silent)?.monitoredBy === 0, 'b cleaned up');
    });

    it('calls to a remote process that exits fail with CalleeExitError; to an unknown name with NoProcError', async () => {
      const crasher = b.spawn(Crasher);
      const p = a.call(crasher, 'x', { timeout: 3000 });
      await expect(p).rejects.toBeInstanceOf(CalleeExitError);
      await expect(a.call({ name: 'nobody', node: b.name }, 'x', { timeout: 3000 })).rejects.toBeInstanceOf(NoProcError);
    });
  });
}

describe('distribution: reachability, stale pids, node monitoring', () => {
  it('a monitor or link to a node that cannot be reached fires noconnection; spawn fails', async () => {
    const { nodes, stop } = await memoryCluster(['a']);
    const a = nodes[0]!;
    try {
      const got = await a.run(async (ctx) => {
        ctx.trapExit(true);
        const ghost = { name: 'svc', node: 'ghost@127.0.0.1' };
        const down = await downReason(ctx, ctx.monitor(ghost));
        return { down };
      });
      expect(got.down).toEqual({ kind: 'noconnection' });
      await expect(a.spawnRemote('ghost@127.0.0.1', 'idle', [])).rejects.toBeInstanceOf(NoConnectionError);
    } finally {
      await stop();
    }
  });

  it('a monitor queued while connecting fires noconnection when the connection attempt fails', async () => {
    const { network, nodes, stop } = await memoryCluster(['a', 'b'], { handshakeTimeout: 200, nodeOptions: { types } });
    const [a, b] = nodes as [Node, Node];
    try {
      const target = b.spawn(Idle);
      network.partition(a.name, b.name);
      const got = await a.run(async (ctx) => {
        const down = await downReason(ctx, ctx.monitor(target), 5000);
        const spawn = await ctx.spawnRemote(b.name, 'idle', []).catch((e: unknown) => e);
        return { down, spawn };
      });
      expect(got.down).toEqual({ kind: 'noconnection' });
      expect(got.spawn).toBeInstanceOf(NoConnectionError);
    } finally {
      await stop();
    }
  });

  it('spawnRemote with monitor returns the pid and a monitor ref that reports the exit', async () => {
    const { nodes, stop } = await memoryCluster(['a', 'b'], { nodeOptions: { types } });
    const [a, b] = nodes as [Node, Node];
    try {
      const got = await a.run(async (ctx) => {
        const { pid, ref } = await ctx.spawnRemote(b.name, 'crasher', [], { monitor: true });
        await waitUntil(() => b.processInfo(pid)?.monitoredBy === 1, 'monitor set up');
        ctx.send(pid, 'monitored crash');
        return downReason(ctx, ref);
      });
      expect(got).toMatchObject({ kind: 'error', error: { message: 'monitored crash' } });
    } finally {
      await stop();
    }
  });

  it('the rpc server is restarted if it exits while the node runs', async () => {
    const { nodes, stop } = await memoryCluster(['a', 'b']);
    const [a, b] = nodes as [Node, Node];
    try {
      const old = b.whereis('sdnode_rpc')!;
      b.exit(old, ExitReasons.kill);
      await waitUntil(() => b.whereis('sdnode_rpc') !== undefined && !b.whereis('sdnode_rpc')!.equals(old), 'rpc server restarted');
      expect(await a.rpc(b.name, 'sdnode.ping')).toBe('pong');
    } finally {
      await stop();
    }
  });

  it('a pid of an earlier incarnation of a node is dead: monitor gives noproc, messages are dropped', async () => {
    const { network, nodes, stop } = await memoryCluster(['a', 'b'], { nodeOptions: { types } });
    const [a, b1] = nodes as [Node, Node];
    const oldPid = b1.spawn(Idle);
    await b1.stop();
    const { memoryNode } = await import('./wait-until.test-util.js');
    const b2 = await memoryNode(network, 'b', { nodeOptions: { types } });
    try {
      expect(b2.creation).not.toBe(b1.creation);
      const reason = await a.run((ctx) => downReason(ctx, ctx.monitor(oldPid)));
      expect(reason).toEqual({ kind: 'noproc' });
    } finally {
      await b2.stop();
      await stop();
    }
  });

  it('reports nodeup/nodedown as events and as messages to processes monitoring nodes', async () => {
    const { nodes, stop } = await memoryCluster(['a', 'b']);
    const [a, b] = nodes as [Node, Node];
    try {
      const events: string[] = [];
      a.on('nodeup', (n) => events.push(`up ${n}`));
      a.on('nodedown', (n) => events.push(`down ${n}`));
      const got = await a.run(async (ctx) => {
        ctx.monitorNodes(true);
        await a.connect(b.name, { timeout: 3000 });
        const up = await ctx.receive(undefined, { timeout: 3000 });
        a.disconnect(b.name);
        const down = await ctx.receive(undefined, { timeout: 3000 });
        return [up, down];
      });
      expect(got).toEqual([
        { signal: 'nodeup', node: b.name },
        { signal: 'nodedown', node: b.name },
      ]);
      expect(events).toEqual([`up ${b.name}`, `down ${b.name}`]);
    } finally {
      await stop();
    }
  });

  it('rejects late remote spawn replies after a timeout without leaking the child (abandoned link)', async () => {
    const { network, nodes, stop } = await memoryCluster(['a', 'b'], { nodeOptions: { types } });
    const [a, b] = nodes as [Node, Node];
    try {
      await a.connect(b.name, { timeout: 3000 });
      const spawnedBefore = b.info().stats.spawned;
      network.freeze(b.name);
      const err = await a
        .run((ctx) => ctx.spawnRemote(b.name, 'idle', [], { link: true, timeout: 20 }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      network.thaw(b.name);
      // The child spawned after the thaw is told its requester abandoned it, and exits.
      await waitUntil(
        () => b.info().stats.spawned > spawnedBefore && b.processes().every((p) => b.processInfo(p)?.type !== 'idle'),
        'abandoned child spawned and gone',
      );
    } finally {
      await stop();
    }
  });
});
