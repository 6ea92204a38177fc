import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDownMessage, type Node } from '@sdnode/core';
import type { Pid } from '@sdnode/wire';
import { GenServer } from '../gen-server/gen-server.js';
import { Supervisor } from './supervisor.js';
import type { Strategy } from './supervisor-state.js';
import { brief, eventLog, types, Worker, workers, type Event } from './children.test-util.js';
import { alive, localNode, next, waitFor, waitUntil } from '../testing.test-util.js';

async function pids(node: Node, sup: Pid): Promise<Record<string, Pid | 'restarting' | null>> {
  const out: Record<string, Pid | 'restarting' | null> = {};
  for (const c of await Supervisor.whichChildren(node, sup)) out[c.id] = c.pid;
  return out;
}

function crash(node: Node, pid: unknown): void {
  GenServer.cast(node, Worker.ref(pid as Pid), 'crash');
}

describe('Supervisor: strategies', () => {
  let node: Node;
  let log: { pid: Pid; events: Event[] };
  beforeEach(async () => {
    node = await localNode({ types });
    log = eventLog(node);
  });
  afterEach(async () => {
    await node.stop();
  });

  const start = (strategy: Strategy) => Supervisor.startWith(node, { strategy, intensity: 10, period: 60_000, children: workers(['a', 'b', 'c'], log.pid) });

  it('starts the children in order, each after the previous one finished its init', async () => {
    const sup = await start('one_for_one');
    expect(brief(log.events)).toEqual(['+a', '+b', '+c']);
    expect(await Supervisor.countChildren(node, sup)).toEqual({ specs: 3, active: 3, supervisors: 0, workers: 3 });
    const which = await Supervisor.whichChildren(node, sup);
    expect(which.map((c) => [c.id, c.kind, c.pid instanceof Object])).toEqual([
      ['a', 'worker', true],
      ['b', 'worker', true],
      ['c', 'worker', true],
    ]);
  });

  it('one_for_one restarts only the child that crashed', async () => {
    const sup = await start('one_for_one');
    const before = await pids(node, sup);
    crash(node, before['b']);
    await waitUntil(() => log.events.length === 5, 'b restarted');
    expect(brief(log.events).slice(3)).toEqual(['-b', '+b']);
    const after = await pids(node, sup);
    expect(after['a']).toBe(before['a']);
    expect(after['c']).toBe(before['c']);
    expect((after['b'] as Pid).equals(before['b'])).toBe(false);
    expect(await GenServer.call(node, Worker.ref(after['b'] as Pid), 'ping')).toBe('pong b');
  });

  it('one_for_all stops the others in reverse start order and restarts all in start order', async () => {
    const sup = await start('one_for_all');
    crash(node, (await pids(node, sup))['b']);
    await waitUntil(() => log.events.length === 9, 'all restarted');
    expect(brief(log.events).slice(3)).toEqual(['-b', '-c', '-a', '+a', '+b', '+c']);
  });

  it('rest_for_one stops the children started after the crashed one and restarts them with it, in order', async () => {
    const sup = await start('rest_for_one');
    const before = await pids(node, sup);
    crash(node, before['b']);
    await waitUntil(() => log.events.length === 7, 'b and c restarted');
    expect(brief(log.events).slice(3)).toEqual(['-b', '-c', '+b', '+c']);
    expect((await pids(node, sup))['a']).toBe(before['a']);
  });

  it('stops its children in reverse start order when it stops, then exits', async () => {
    const sup = await start('one_for_one');
    await GenServer.stop(node, sup);
    expect(brief(log.events)).toEqual(['+a', '+b', '+c', '-c', '-b', '-a']);
    expect(log.events.slice(3).map((e) => (e as { reason: string }).reason)).toEqual(['shutdown', 'shutdown', 'shutdown']);
    expect(alive(node, sup)).toBe(false);
  });
});

describe('Supervisor: restart policies and intensity', () => {
  let node: Node;
  let log: { pid: Pid; events: Event[] };
  beforeEach(async () => {
    node = await localNode({ types });
    log = eventLog(node);
  });
  afterEach(async () => {
    await node.stop();
  });

  it('restarts a permanent child even after a normal exit', async () => {
    const sup = await Supervisor.startWith(node, { children: workers(['p'], log.pid, 'permanent') });
    GenServer.cast(node, Worker.ref((await pids(node, sup))['p'] as Pid), 'quit');
    await waitUntil(() => log.events.length === 3, 'p restarted');
    expect(brief(log.events)).toEqual(['+p', '-p', '+p']);
  });

  it('restarts a transient child after a crash but not after a normal exit (its spec stays)', async () => {
    const sup = await Supervisor.startWith(node, { intensity: 5, children: workers(['t'], log.pid, 'transient') });
    crash(node, (await pids(node, sup))['t']);
    await waitUntil(() => log.events.length === 3, 't restarted after the crash');
    GenServer.cast(node, Worker.ref((await pids(node, sup))['t'] as Pid), 'quit');
    await waitUntil(() => log.events.length === 4, 't quit');
    expect(await pids(node, sup)).toEqual({ t: null });
    expect(brief(log.events)).toEqual(['+t', '-t', '+t', '-t']);
  });

  it('never restarts a temporary child, and forgets it', async () => {
    const sup = await Supervisor.startWith(node, { children: workers(['x', 'tmp'], log.pid, 'temporary') });
    crash(node, (await pids(node, sup))['tmp']);
    await waitUntil(() => log.events.length === 3, 'tmp stopped');
    await waitFor(async () => Object.keys(await pids(node, sup)).length === 1, 'tmp forgotten');
    expect(Object.keys(await pids(node, sup))).toEqual(['x']);
    expect(brief(log.events)).toEqual(['+x', '+tmp', '-tmp']);
  });

  it('gives up when restarts exceed the intensity: stops its children and exits with reached_max_restart_intensity', async () => {
    const got = await node.run(async (ctx) => {
      const sup = await Supervisor.startWith(ctx, { strategy: 'one_for_one', intensity: 2, period: 60_000, children: workers(['a', 'b'], log.pid) });
      const ref = ctx.monitor(sup);
      for (let i = 0; i < 3; i++) {
        const b = (await pids(node, sup))['b'];
        crash(node, b);
        if (i < 2) await waitUntil(() => log.events.length === 4 + 2 * i, `restart ${i + 1}`);
      }
      return next(ctx, (m) => (isDownMessage(m) && m.ref.equals(ref) ? m.reason : undefined));
    });
    expect(got).toEqual(Supervisor.MAX_RESTART_INTENSITY);
    expect(got).toEqual({ kind: 'shutdown', detail: 'reached_max_restart_intensity' });
    // The third crash of b is not restarted; a is stopped on the way out.
    expect(brief(log.events)).toEqual(['+a', '+b', '-b', '+b', '-b', '+b', '-b', '-a']);
  });

  it('retries a restart whose start fails, counting each attempt against the intensity', async () => {
    let attempts = 0;
    const sup = await Supervisor.startWith(node, {
      intensity: 5,
      period: 60_000,
      children: [
        {
          id: 'flaky',
          start: async (ctx) => {
            attempts++;
            if (attempts === 2 || attempts === 3) throw new Error(`start attempt ${attempts} fails`);
            return Worker.startLink(ctx, ['flaky', log.pid]);
          },
        },
      ],
    });
    crash(node, (await pids(node, sup))['flaky']);
    await waitUntil(() => attempts === 4 && log.events.length === 3, 'started on the fourth attempt');
    expect(await pids(node, sup)).toEqual({ flaky: expect.any(Object) });
    expect(alive(node, (await pids(node, sup))['flaky'] as Pid)).toBe(true);
  });
});
