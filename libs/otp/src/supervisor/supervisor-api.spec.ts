import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '@sdnode/core';
import { ChildExistsError, ChildNotFoundError, ChildRunningError, InvalidArgumentError, StartError, type Pid } from '@sdnode/wire';
import { GenServer } from '../gen-server/gen-server.js';
import { Supervisor } from './supervisor.js';
import { brief, eventLog, Stubborn, types, Worker, workers, type Event } from './children.test-util.js';
import { alive, localNode, waitFor, waitUntil } from '../testing.test-util.js';

async function pidOf(node: Node, sup: Pid, id: string): Promise<Pid | 'restarting' | null | undefined> {
  return (await Supervisor.whichChildren(node, sup)).find((c) => c.id === id)?.pid;
}

describe('Supervisor: managing children', () => {
  let node: Node;
  let log: { pid: Pid; events: Event[] };
  beforeEach(async () => {
    node = await localNode({ types });
    log = eventLog(node);
  });
  afterEach(async () => {
    await node.stop();
  });

  it('starts, terminates, restarts and deletes a child by id, with typed errors for wrong states', async () => {
    const sup = await Supervisor.startWith(node, { children: workers(['a'], log.pid) });
    const b = await Supervisor.startChild(node, sup, Supervisor.worker('b', Worker, ['b', log.pid]));
    expect(b).not.toBeNull();
    await expect(Supervisor.startChild(node, sup, Supervisor.worker('b', Worker, ['b', log.pid]))).rejects.toMatchObject({ running: true });
    await expect(Supervisor.startChild(node, sup, Supervisor.worker('b', Worker, ['b', log.pid]))).rejects.toBeInstanceOf(ChildExistsError);
    await expect(Supervisor.deleteChild(node, sup, 'b')).rejects.toBeInstanceOf(ChildRunningError);

    await Supervisor.terminateChild(node, sup, 'b');
    expect(alive(node, b!)).toBe(false);
    expect(await pidOf(node, sup, 'b')).toBeNull();
    await expect(Supervisor.startChild(node, sup, Supervisor.worker('b', Worker, ['b', log.pid]))).rejects.toMatchObject({ running: false });

    const again = await Supervisor.restartChild(node, sup, 'b');
    expect(await GenServer.call(node, Worker.ref(again!), 'ping')).toBe('pong b');
    await expect(Supervisor.restartChild(node, sup, 'b')).rejects.toBeInstanceOf(ChildRunningError);

    await Supervisor.terminateChild(node, sup, 'b');
    await Supervisor.deleteChild(node, sup, 'b');
    await expect(Supervisor.getChildSpec(node, sup, 'b')).rejects.toBeInstanceOf(ChildNotFoundError);
    await expect(Supervisor.terminateChild(node, sup, 'nope')).rejects.toBeInstanceOf(ChildNotFoundError);
    await expect(Supervisor.restartChild(node, sup, 'nope')).rejects.toBeInstanceOf(ChildNotFoundError);
    expect(await Supervisor.getChildSpec(node, sup, 'a')).toMatchObject({ id: 'a', restart: 'permanent', shutdown: 1000, kind: 'worker' });
    expect(brief(log.events)).toEqual(['+a', '+b', '-b', '+b', '-b']);
  });

  it('reports a child whose init fails as StartError and does not keep its spec', async () => {
    const sup = await Supervisor.startWith(node, { children: [] });
    const Failing = GenServer.define<{ state: null }>('test.failing', {
      init: () => {
        throw new Error('cannot start');
      },
    });
    const e = (await Supervisor.startChild(node, sup, Supervisor.worker('f', Failing, [])).catch((x: unknown) => x)) as StartError;
    expect(e).toBeInstanceOf(StartError);
    expect(e.reason).toMatchObject({ kind: 'error', error: { message: 'cannot start' } });
    expect(await Supervisor.whichChildren(node, sup)).toEqual([]);
    await expect(Supervisor.startChild(node, sup, { id: 'bad', start: 42 } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('fails its own start when a child fails to start, after stopping the children already started', async () => {
    const e = (await Supervisor.startWith(node, {
      children: [...workers(['a', 'b'], log.pid), { id: 'boom', start: async () => Promise.reject(new Error('no')) }],
    }).catch((x: unknown) => x)) as StartError;
    expect(e).toBeInstanceOf(StartError);
    expect(e.reason).toMatchObject({ kind: 'shutdown', detail: { failedToStartChild: 'boom' } });
    expect(brief(log.events)).toEqual(['+a', '+b', '-b', '-a']);
  });

  it('is ignored when its init returns ignore', async () => {
    const Nothing = Supervisor.define('test.nothing-sup', { init: () => ({ ignore: true }) });
    const e = (await Supervisor.start(node, Nothing, []).catch((x: unknown) => x)) as StartError;
    expect(e.ignored).toBe(true);
  });

  it('refuses bad flags and duplicate ids in init', async () => {
    await expect(Supervisor.startWith(node, { strategy: 'best_effort' as never, children: [] })).rejects.toMatchObject({ reason: { kind: 'error', error: { code: 'EINVAL' } } });
    await expect(Supervisor.startWith(node, { children: workers(['a', 'a'], log.pid) })).rejects.toBeInstanceOf(StartError);
    await expect(Supervisor.startWith(node, { intensity: -1, children: [] })).rejects.toBeInstanceOf(StartError);
  });
});

describe('Supervisor: shutdown policies', () => {
  let node: Node;
  let log: { pid: Pid; events: Event[] };
  beforeEach(async () => {
    node = await localNode({ types });
    log = eventLog(node);
  });
  afterEach(async () => {
    await node.stop();
  });

  it('kills a child that ignores shutdown once its shutdown timeout has passed', async () => {
    const sup = await Supervisor.startWith(node, { children: [{ id: 's', start: { type: Stubborn, args: ['s', log.pid] }, shutdown: 60 }] });
    const stubborn = (await pidOf(node, sup, 's')) as Pid;
    const t0 = performance.now();
    await Supervisor.terminateChild(node, sup, 's');
    const took = performance.now() - t0;
    expect(alive(node, stubborn)).toBe(false);
    expect(took).toBeGreaterThanOrEqual(55);
  });

  it('gives a cooperative child its terminate within the timeout, and brutal_kill gives it none', async () => {
    const sup = await Supervisor.startWith(node, {
      children: [
        { id: 'nice', start: { type: Worker, args: ['nice', log.pid] }, shutdown: 5000 },
        { id: 'brutal', start: { type: Worker, args: ['brutal', log.pid] }, shutdown: 'brutal_kill' },
      ],
    });
    await Supervisor.terminateChild(node, sup, 'brutal');
    await Supervisor.terminateChild(node, sup, 'nice');
    await waitUntil(() => log.events.length === 3, 'nice stopped');
    expect(log.events.slice(2)).toEqual([{ stopped: 'nice', reason: 'shutdown' }]);
  });

  it('stops a child that exited on its own without waiting (its EXIT is already in the mailbox)', async () => {
    const sup = await Supervisor.startWith(node, { children: [{ id: 'w', start: { type: Worker, args: ['w', log.pid] }, restart: 'temporary', shutdown: 'infinity' }] });
    await Supervisor.terminateChild(node, sup, 'w');
    expect(await Supervisor.whichChildren(node, sup)).toEqual([]);
  });
});

describe('Supervisor: simple_one_for_one and trees', () => {
  let node: Node;
  let log: { pid: Pid; events: Event[] };
  beforeEach(async () => {
    node = await localNode({ types });
    log = eventLog(node);
  });
  afterEach(async () => {
    await node.stop();
  });

  it('starts dynamic children with extra arguments, restarts them with the same ones, stops them by pid and all at once', async () => {
    const sup = await Supervisor.startWith(node, {
      strategy: 'simple_one_for_one',
      intensity: 5,
      children: [{ id: 'conn', start: { type: Worker, args: [] }, restart: 'transient', shutdown: 1000 }],
    });
    const c1 = (await Supervisor.startChild(node, sup, ['c1', log.pid]))!;
    const c2 = (await Supervisor.startChild(node, sup, ['c2', log.pid]))!;
    await expect(Supervisor.startChild(node, sup, Supervisor.worker('x', Worker, ['x', log.pid]))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Supervisor.restartChild(node, sup, 'conn')).rejects.toBeInstanceOf(ChildNotFoundError);
    expect(await Supervisor.countChildren(node, sup)).toEqual({ specs: 1, active: 2, supervisors: 0, workers: 2 });

    GenServer.cast(node, Worker.ref(c1), 'crash');
    await waitUntil(() => log.events.length === 4, 'c1 restarted');
    expect(brief(log.events)).toEqual(['+c1', '+c2', '-c1', '+c1']);

    await Supervisor.terminateChild(node, sup, c2);
    expect((await Supervisor.whichChildren(node, sup)).length).toBe(1);
    await GenServer.stop(node, sup);
    expect(brief(log.events)).toEqual(['+c1', '+c2', '-c1', '+c1', '-c2', '-c1']);
  });

  it('restarts a subtree: an inner supervisor that gives up is restarted by the outer one with fresh children', async () => {
    const Inner = Supervisor.define('test.inner', {
      init: (_ctx, logPid: Pid) => ({ strategy: 'one_for_one', intensity: 0, period: 60_000, children: workers(['leaf'], logPid) }),
    });
    const top = await Supervisor.startWith(node, {
      strategy: 'one_for_one',
      intensity: 3,
      period: 60_000,
      children: [Supervisor.worker('w', Worker, ['w', log.pid]), Supervisor.supervisor('inner', Inner, [log.pid])],
    });
    const inner1 = (await pidOf(node, top, 'inner')) as Pid;
    const leaf1 = (await pidOf(node, inner1, 'leaf')) as Pid;
    expect((await Supervisor.getChildSpec(node, top, 'inner')).shutdown).toBe('infinity');
    GenServer.cast(node, Worker.ref(leaf1), 'crash'); // intensity 0: the inner supervisor gives up
    await waitUntil(() => log.events.length === 4, 'leaf started again under a new inner supervisor');
    expect(brief(log.events)).toEqual(['+w', '+leaf', '-leaf', '+leaf']);
    await waitFor(async () => (await pidOf(node, top, 'inner')) instanceof Object, 'inner restarted');
    const inner2 = (await pidOf(node, top, 'inner')) as Pid;
    expect(inner2.equals(inner1)).toBe(false);
    expect(alive(node, inner1)).toBe(false);
    await GenServer.stop(node, top);
    expect(brief(log.events).slice(4)).toEqual(['-leaf', '-w']);
  });
});
