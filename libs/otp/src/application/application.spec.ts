import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '@sdnode/core';
import {
  ApplicationDependencyError,
  ApplicationNotRunningError,
  ExitReasons,
  StartError,
  UnknownApplicationError,
  type Pid,
} from '@sdnode/wire';
import { GenServer } from '../gen-server/gen-server.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { brief, eventLog, types, workers, type Event } from '../supervisor/children.test-util.js';
import { localNode, waitFor, waitUntil } from '../testing.test-util.js';
import { Application } from './application.js';
import type { ApplicationDefinition, RestartType } from './application-spec.js';

/** An application whose tree is one supervisor over workers named `<app>.w1`, `<app>.w2`; it logs its callbacks. */
function app(name: string, log: Pid, calls: string[], more: { dependencies?: string[]; restart?: RestartType; env?: Record<string, unknown> } = {}): ApplicationDefinition {
  return Application.define(name, {
    ...more,
    description: `the ${name} application`,
    vsn: '1.0.0',
    async start({ ctx, env, startType }) {
      calls.push(`start ${name} ${startType.kind} ${JSON.stringify(env)}`);
      const pid = await Supervisor.startWith(ctx, { strategy: 'one_for_one', intensity: 1, period: 1000, children: workers([`${name}.w1`, `${name}.w2`], log) }, { link: true });
      return { pid, state: `${name}-state` };
    },
    prepStop(state) {
      calls.push(`prepStop ${name} ${String(state)}`);
      return `${String(state)}+prepped`;
    },
    stop(state) {
      calls.push(`stop ${name} ${String(state)}`);
    },
  });
}

async function topSupervisor(node: Node, name: string): Promise<Pid> {
  // The only supervisor whose first child is <name>.w1.
  for (const pid of node.processes()) {
    if (node.processInfo(pid)?.type !== 'sdnode.otp.supervisor') continue;
    const children = await Supervisor.whichChildren(node, pid);
    if (children[0]?.id === `${name}.w1`) return pid;
  }
  throw new Error(`no top supervisor of ${name}`);
}

describe('Application: start and stop', () => {
  let node: Node;
  let log: { pid: Pid; events: Event[] };
  let calls: string[];

  beforeEach(async () => {
    node = await localNode({ types });
    log = eventLog(node);
    calls = [];
  });
  afterEach(async () => {
    await node.stop();
  });

  it('starts the dependencies first, then the application, and lists them in start order', async () => {
    await Application.startController(node, {
      applications: [app('db', log.pid, calls), app('web', log.pid, calls, { dependencies: ['db'], env: { port: 80 } })],
      env: { web: { port: 8080 } },
    });
    await Application.start(node, 'web');
    expect(calls).toEqual(['start db normal {}', 'start web normal {"port":8080}']);
    expect(brief(log.events)).toEqual(['+db.w1', '+db.w2', '+web.w1', '+web.w2']);
    const which = await Application.which(node);
    expect(which.map((a) => [a.name, a.status, a.restart, a.vsn])).toEqual([
      ['db', 'running', 'temporary', '1.0.0'],
      ['web', 'running', 'temporary', '1.0.0'],
    ]);
    expect(await Application.getEnv(node, 'web')).toEqual({ port: 8080 });
    await Application.start(node, 'web'); // already running: nothing happens
    expect(calls).toHaveLength(2);
  });

  it('stops the applications that depend on it first, each top-down: prepStop, the tree (terminates awaited), stop', async () => {
    await Application.startController(node, { applications: [app('db', log.pid, calls), app('web', log.pid, calls, { dependencies: ['db'] })] });
    await Application.start(node, 'web');
    calls.length = 0;
    await Application.stop(node, 'db');
    expect(calls).toEqual(['prepStop web web-state', 'stop web web-state+prepped', 'prepStop db db-state', 'stop db db-state+prepped']);
    // Every worker's terminate ran before stop resolved, in reverse start order per tree.
    expect(brief(log.events).slice(4)).toEqual(['-web.w2', '-web.w1', '-db.w2', '-db.w1']);
    expect(await Application.which(node)).toEqual([]);
    await expect(Application.stop(node, 'db')).rejects.toBeInstanceOf(ApplicationNotRunningError);
  });

  it('stops every application, last started first, when the node stops', async () => {
    await Application.startController(node, { applications: [app('db', log.pid, calls), app('web', log.pid, calls, { dependencies: ['db'] })] });
    await Application.start(node, 'web');
    await node.stop();
    expect(calls.slice(2)).toEqual(['prepStop web web-state', 'stop web web-state+prepped', 'prepStop db db-state', 'stop db db-state+prepped']);
    expect(log.events.filter((e) => 'stopped' in e).map((e) => ('stopped' in e ? `${e.stopped}:${e.reason}` : ''))).toEqual([
      'web.w2:shutdown',
      'web.w1:shutdown',
      'db.w2:shutdown',
      'db.w1:shutdown',
    ]);
  });

  it('stops a top supervisor that was not started linked to the master, through its terminate', async () => {
    const Top = Supervisor.define('test.top', { init: (_ctx, logPid: Pid) => ({ strategy: 'one_for_one', intensity: 1, period: 1000, children: workers(['t.w1'], logPid) }) });
    await node.stop();
    node = await localNode({ types: [...types, Top] });
    log = eventLog(node);
    const loose = Application.define('loose', { start: ({ ctx }) => Supervisor.start(ctx, Top, [log.pid]) });
    await Application.startController(node, { applications: [loose] });
    await Application.start(node, 'loose');
    await Application.stop(node, 'loose');
    expect(brief(log.events)).toEqual(['+t.w1', '-t.w1']);
    expect(node.processes().filter((p) => node.processInfo(p)?.type === 'test.top')).toEqual([]);
  });

  it('reports what cannot start: an unknown application, a missing or cyclic dependency, a failing start callback', async () => {
    const failing = Application.define('failing', {
      start() {
        throw new Error('no database');
      },
    });
    const never = (): never => {
      throw new Error('never started');
    };
    const a = Application.define('a', { dependencies: ['b'], start: never });
    const b = Application.define('b', { dependencies: ['a'], start: never });
    const orphan = Application.define('orphan', { dependencies: ['ghost'], start: never });
    await Application.startController(node, { applications: [failing, a, b, orphan] });
    await expect(Application.start(node, 'nope')).rejects.toBeInstanceOf(UnknownApplicationError);
    await expect(Application.start(node, 'a')).rejects.toThrow(/dependency cycle \(a -> b -> a\)/);
    await expect(Application.start(node, 'orphan')).rejects.toBeInstanceOf(ApplicationDependencyError);
    const error = await Application.start(node, 'failing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartError);
    expect((error as StartError).message).toContain('no database');
    expect(await Application.which(node)).toEqual([]);
  });

  it('answers other requests while an application is starting', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow = Application.define('slow', {
      async start({ ctx }) {
        await gate;
        return Supervisor.startWith(ctx, { strategy: 'one_for_one', intensity: 1, period: 1000, children: [] }, { link: true });
      },
    });
    await Application.startController(node, { applications: [slow] });
    const started = Application.start(node, 'slow');
    await waitFor(async () => (await Application.which(node)).length === 1, 'slow is listed');
    expect((await Application.which(node)).map((a) => [a.name, a.status])).toEqual([['slow', 'starting']]);
    expect(await Application.loaded(node)).toMatchObject([{ name: 'slow' }]);
    release();
    await started;
    expect((await Application.which(node)).map((a) => a.status)).toEqual(['running']);
  });

  it('offers which, loaded, start and stop as rpc built-ins', async () => {
    await Application.startController(node, { applications: [app('db', log.pid, calls)] });
    await node.rpc(node.name, 'sdnode.applications.start', ['db', 'transient']);
    expect(await node.rpc(node.name, 'sdnode.applications.which')).toMatchObject([{ name: 'db', restart: 'transient', status: 'running' }]);
    expect(await node.rpc(node.name, 'sdnode.applications.loaded')).toMatchObject([{ name: 'db', dependencies: [], distributed: false }]);
    await node.rpc(node.name, 'sdnode.applications.stop', ['db']);
    expect(await node.rpc(node.name, 'sdnode.applications.which')).toEqual([]);
  });
});

describe('Application: restart types', () => {
  let node: Node;
  let log: { pid: Pid; events: Event[] };
  let stopping: (string | null)[];

  beforeEach(async () => {
    node = await localNode({ types });
    log = eventLog(node);
    stopping = [];
    node.on('stopping', ({ reason }) => stopping.push(reason));
  });
  afterEach(async () => {
    await node.stop();
  });

  /** Start `db` with `restart`, then make its top supervisor exit with `reason`. */
  async function exitWith(restart: RestartType, reason: 'normal' | 'abnormal'): Promise<void> {
    await Application.startController(node, { applications: [app('db', log.pid, [])] });
    await Application.start(node, 'db', { restart });
    const sup = await topSupervisor(node, 'db');
    await GenServer.stop(node, sup, reason === 'normal' ? ExitReasons.normal : ExitReasons.other('broken'));
    await waitUntil(() => stopping.length > 0 || node.processInfo(sup) === undefined, 'the tree is gone');
  }

  const cases: [RestartType, 'normal' | 'abnormal', boolean][] = [
    ['permanent', 'normal', true],
    ['permanent', 'abnormal', true],
    ['transient', 'normal', false],
    ['transient', 'abnormal', true],
    ['temporary', 'normal', false],
    ['temporary', 'abnormal', false],
  ];

  for (const [restart, how, down] of cases) {
    it(`a ${restart} application that exits ${how === 'normal' ? 'normally' : 'abnormally'} ${down ? 'takes the node down, with a reason' : 'is only reported'}`, async () => {
      await exitWith(restart, how);
      if (down) {
        await waitUntil(() => node.isStopped, 'the node stops');
        expect(stopping).toHaveLength(1);
        expect(stopping[0]).toMatch(new RegExp(`^application db \\(${restart}\\) exited: `));
      } else {
        // The controller removes the application and decides in one step: once it is gone, the decision is made.
        await waitFor(async () => (await Application.which(node)).length === 0, 'db is gone');
        expect(node.isStopped).toBe(false);
        expect(stopping).toEqual([]);
      }
    });
  }
});
