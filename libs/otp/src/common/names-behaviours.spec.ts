import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '@sdnode/core';
import { InvalidArgumentError, NameTakenError, NoProcError, StartError, type Pid } from '@sdnode/wire';
import { EventManager } from '../event-manager/event-manager.js';
import { GenServer } from '../gen-server/gen-server.js';
import { GenStatem } from '../gen-statem/gen-statem.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { Stubborn, Worker, eventLog } from '../supervisor/children.test-util.js';
import { FakeNameService } from './fake-name-service.test-util.js';
import { alive, localNode, memoryCluster, waitUntil } from '../testing.test-util.js';

/** A switch: `flip` calls toggle it and answer the new state; a `reset` cast turns it off. */
const Switch = GenStatem.define<{ args: []; state: 'off' | 'on'; data: number }>('test.named-switch', {
  init: () => ({ state: 'off', data: 0 }),
  handleEvent({ state, data }, event) {
    if (event.type === 'call') {
      const next = state === 'off' ? 'on' : 'off';
      return { next, data: data + 1, actions: [{ reply: event.from, value: next }] };
    }
    if (event.type === 'cast' && event.content === 'reset') return { next: 'off' };
    return 'keep';
  },
});

describe('Registry names: GenStatem, Supervisor and EventManager', () => {
  let node: Node;
  let global: FakeNameService;
  beforeEach(async () => {
    node = await localNode({ types: [Switch, Worker, Stubborn] });
    global = new FakeNameService(node);
    node.registerNameService(global);
  });
  afterEach(async () => {
    await node.stop();
  });

  it('starts a state machine under { global } and calls, casts and stops it by that name', async () => {
    const pid = await Switch.start(node, [], { name: { global: 'switch' } });
    expect(global.whereisName('switch')?.equals(pid)).toBe(true);
    expect(await GenStatem.call(node, { global: 'switch' }, 'flip')).toBe('on');
    GenStatem.cast(node, { global: 'switch' }, 'reset');
    expect(await GenStatem.call(node, { global: 'switch' }, 'flip')).toBe('on');
    await expect(GenStatem.start(node, Switch, [], { name: { global: 'switch' } })).rejects.toBeInstanceOf(NameTakenError);
    await GenStatem.stop(node, { global: 'switch' });
    expect(alive(node, pid)).toBe(false);
    await expect(GenStatem.call(node, { global: 'switch' }, 'flip')).rejects.toBeInstanceOf(NoProcError);
  });

  it('starts a state machine under { scope, name } and { via, name }', async () => {
    const g1 = new FakeNameService(node, 'g1');
    node.registerNameService(g1);
    await GenStatem.start(node, Switch, [], { name: { scope: 'g1', name: 's' } });
    expect(await GenStatem.call(node, { scope: 'g1', name: 's' }, 'flip')).toBe('on');
    const svc = new FakeNameService(node, 'private');
    await GenStatem.start(node, Switch, [], { name: { via: svc, name: 's' } });
    expect(await GenStatem.call(node, { via: svc, name: 's' }, 'flip')).toBe('on');
  });

  it('starts a supervisor under { global } and manages its children by that name', async () => {
    const log = eventLog(node);
    const sup = await Supervisor.startWith(node, { children: [] }, { name: { global: 'sup' } });
    expect(global.whereisName('sup')?.equals(sup)).toBe(true);
    const a = await Supervisor.startChild(node, { global: 'sup' }, Supervisor.worker('a', Worker, ['a', log.pid]));
    expect(await Supervisor.whichChildren(node, { global: 'sup' })).toMatchObject([{ id: 'a', pid: a }]);
    expect(await Supervisor.countChildren(node, { global: 'sup' })).toMatchObject({ active: 1 });
    await Supervisor.terminateChild(node, { global: 'sup' }, 'a');
    await Supervisor.deleteChild(node, { global: 'sup' }, 'a');
    await GenServer.stop(node, { global: 'sup' });
    await expect(Supervisor.whichChildren(node, { global: 'sup' })).rejects.toBeInstanceOf(NoProcError);
  });

  it('registers a child under the registry name of its spec, again on every restart', async () => {
    const log = eventLog(node);
    const sup = await Supervisor.startWith(node, {
      children: [Supervisor.worker('w', Worker, ['w', log.pid], { name: { global: 'worker' } })],
    });
    const first = global.whereisName('worker')!;
    expect(await GenServer.call(node, Worker.ref({ global: 'worker' }), 'ping')).toBe('pong w');
    GenServer.cast(node, Worker.ref({ global: 'worker' }), 'crash');
    await waitUntil(() => {
      const now = global.whereisName('worker');
      return now !== undefined && !now.equals(first);
    }, 'the restarted worker holds the name');
    expect(await GenServer.call(node, Worker.ref({ global: 'worker' }), 'ping')).toBe('pong w');
    await GenServer.stop(node, sup);
  });

  it('refuses a registry name for a plain process child, and a child name whose scope has no service', async () => {
    const sup = await Supervisor.startWith(node, { children: [] });
    const log = eventLog(node);
    const plain = { id: 'p', start: { type: Stubborn, args: ['p', log.pid], name: { global: 'plain' } } };
    const scoped = Supervisor.worker('w', Worker, ['w', log.pid], { name: { scope: 'g9', name: 'w' } });
    for (const spec of [plain, scoped]) {
      const e = (await Supervisor.startChild(node, sup, spec).catch((x: unknown) => x)) as StartError;
      expect(e).toBeInstanceOf(StartError);
      expect(e.reason).toBeInstanceOf(InvalidArgumentError);
      expect((e.reason as Error).message).toContain(spec === plain ? 'local name only' : '"g9"');
    }
    expect(await Supervisor.whichChildren(node, sup)).toEqual([]);
    await GenServer.stop(node, sup);
  });

  it('starts an event manager under { global } and notifies it by that name', async () => {
    const got: unknown[] = [];
    const recorder = EventManager.handler<null, null>('test.recorder', {
      init: () => ({ state: null }),
      handleEvent: ({ state }, event) => {
        got.push(event);
        return { state };
      },
    });
    await EventManager.start(node, { name: { global: 'events' } });
    await EventManager.addHandler(node, { global: 'events' }, recorder, null);
    EventManager.notify(node, { global: 'events' }, 'one');
    await EventManager.syncNotify(node, { global: 'events' }, 'two');
    expect(got).toEqual(['one', 'two']);
  });
});

describe('Registry names: a start on another node uses that node’s name service', () => {
  let cluster: Awaited<ReturnType<typeof memoryCluster>>;
  beforeEach(async () => {
    cluster = await memoryCluster(['a', 'b'], { types: [Switch] });
  });
  afterEach(async () => {
    await cluster.stop();
  });

  it('registers through the remote node’s global service, and fails clearly where there is none', async () => {
    const [a, b] = cluster.nodes as [Node, Node];
    const onB = new FakeNameService(b);
    b.registerNameService(onB);
    const pid: Pid = await Switch.start(a, [], { node: b.name, name: { global: 'remote' } });
    expect(pid.node).toBe(b.name);
    expect(onB.whereisName('remote')?.equals(pid)).toBe(true);
    expect(await GenStatem.call(b, { global: 'remote' }, 'flip')).toBe('on');
    // a has no global service: it cannot resolve the name...
    await expect(GenStatem.call(a, { global: 'remote' }, 'flip')).rejects.toBeInstanceOf(InvalidArgumentError);
    // ...and a start on a under a global name fails before spawning; one on b is refused by b.
    await expect(Switch.start(b, [], { node: a.name, name: { global: 'other' } })).rejects.toBeInstanceOf(StartError);
    await expect(Switch.start(a, [], { node: b.name, name: { global: 'remote' } })).rejects.toBeInstanceOf(NameTakenError);
  });
});
