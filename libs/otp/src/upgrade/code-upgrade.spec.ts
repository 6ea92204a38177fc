import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Node } from '@sdnode/core';
import { CodeChangeError, UpgradeError, type Pid } from '@sdnode/wire';
import { Sys } from '../common/sys.js';
import { GenServer } from '../gen-server/gen-server.js';
import { GenStatem } from '../gen-statem/gen-statem.js';
import { localNode, waitFor } from '../testing.test-util.js';
import { Code, codeFunctions, type UpgradeOutcome } from './code.js';

// Version 1 counts; version 2 also keeps the history of what was added, converting the count.
interface V1Spec {
  args: [start: number];
  state: number;
  calls: { get(): number };
  casts: { add(n: number): void };
}
const CounterV1 = GenServer.define<V1Spec>(
  'test.counter',
  {
    init: (_ctx, start) => ({ state: start }),
    handleCall: { get: ({ state }) => ({ reply: state, state }) },
    handleCast: { add: ({ state }, n) => ({ state: state + n }) },
  },
  { vsn: 1 },
);

interface V2Spec {
  args: [start: number];
  state: { count: number; history: number[] };
  calls: { get(): number; history(): number[] };
  casts: { add(n: number): void };
}
function counterV2(gate?: Promise<void>, refuseAbove = Infinity) {
  return GenServer.define<V2Spec>(
    'test.counter',
    {
      init: (_ctx, start) => ({ state: { count: start, history: [] } }),
      handleCall: {
        get: ({ state }) => ({ reply: state.count, state }),
        history: ({ state }) => ({ reply: state.history, state }),
      },
      handleCast: { add: ({ state }, n) => ({ state: { count: state.count + n, history: [...state.history, n] } }) },
      async codeChange({ state }, oldVsn) {
        await gate;
        const count = state as number;
        if (count > refuseAbove) return { error: `count ${count} is too large for version 2` };
        return { state: { count, history: [`from v${String(oldVsn)}` as unknown as number] } };
      },
    },
    { vsn: 2 },
  );
}

describe('Code.upgrade: a GenServer type on a running node', () => {
  let node: Node;
  let pids: Pid[];
  beforeEach(async () => {
    node = await localNode({ types: [CounterV1] });
    pids = [node.spawn('test.counter', 10), node.spawn('test.counter', 20), node.spawn('test.counter', 30)];
  });
  afterEach(async () => {
    await node.stop();
  });

  it('switches every process, keeping its state through codeChange, and later spawns get the new version', async () => {
    const V2 = counterV2();
    const report = await Code.upgrade(node, V2);
    expect(report).toEqual({ node: node.name, type: 'test.counter', fromVsn: 1, toVsn: 2, processes: 3, late: 0, lateFailures: [] });
    for (const [i, pid] of pids.entries()) {
      expect(await GenServer.call(node, V2.ref(pid), 'get')).toBe((i + 1) * 10);
      expect(await GenServer.call(node, V2.ref(pid), 'history')).toEqual(['from v1']);
    }
    expect(node.processType('test.counter')).toBe(V2);
    const fresh = node.spawn('test.counter', 5);
    expect(await GenServer.call(node, V2.ref(fresh), 'history')).toEqual([]);
    expect((await Sys.getStatus(node, pids[0]!)).vsn).toBe(2);
    // Run again with another copy of version 2 (a rolling upgrade run twice): nothing to do.
    expect(await Code.upgrade(node, counterV2())).toMatchObject({ fromVsn: 2, toVsn: 2, processes: 0 });
    expect(await GenServer.call(node, V2.ref(pids[0]!), 'history')).toEqual(['from v1']);
  });

  it('makes messages sent during the upgrade wait, and handles them in order with the new version', async () => {
    let release: () => void = () => undefined;
    const V2 = counterV2(new Promise<void>((r) => (release = r)));
    const upgrading = Code.upgrade(node, V2);
    // Every process is suspended (its status says so) while codeChange waits at the gate.
    await waitFor(async () => (await Promise.all(pids.map((p) => Sys.getStatus(node, p)))).every((s) => s.status === 'suspended'), 'all suspended');
    GenServer.cast(node, V2.ref(pids[0]!), 'add', [1]);
    GenServer.cast(node, V2.ref(pids[0]!), 'add', [2]);
    release();
    await upgrading;
    expect(await GenServer.call(node, V2.ref(pids[0]!), 'history')).toEqual(['from v1', 1, 2]);
    expect(await GenServer.call(node, V2.ref(pids[0]!), 'get')).toBe(13);
  });

  it('leaves every process on the old version when one codeChange fails, and reports CodeChangeError', async () => {
    const V2 = counterV2(undefined, 25); // refuses the process holding 30
    const error = await Code.upgrade(node, V2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodeChangeError);
    expect((error as CodeChangeError).target).toBe(pids[2]!.toString());
    expect((error as CodeChangeError).message).toContain('count 30 is too large for version 2');
    expect(node.processType('test.counter')).toBe(CounterV1);
    for (const pid of pids) {
      expect((await Sys.getStatus(node, pid)).status).toBe('running');
      expect((await Sys.getStatus(node, pid)).vsn).toBe(1);
    }
    GenServer.cast(node, CounterV1.ref(pids[0]!), 'add', [1]);
    expect(await GenServer.call(node, CounterV1.ref(pids[0]!), 'get')).toBe(11);
  });

  it('refuses what it cannot upgrade: an unknown type, another behaviour', async () => {
    const Other = GenServer.define<{ state: null }>('test.other', { init: () => ({ state: null }) });
    await expect(Code.upgrade(node, Other)).rejects.toThrow(UpgradeError);
    const Statem = GenStatem.define<{ state: 'a'; data: null }>('test.counter', { init: () => ({ state: 'a', data: null }), handleEvent: () => 'keep' });
    await expect(Code.upgrade(node, Statem)).rejects.toThrow(/not a gen_statem type/);
  });

  it('loads the new version from a module file through the rpc built-in', async () => {
    for (const [fn, impl] of Object.entries(codeFunctions(node))) node.registerFunction(fn, impl);
    const module = fileURLToPath(new URL('./fixtures/counter-v2.mjs', import.meta.url));
    const outcome = await node.rpc<UpgradeOutcome>(node.name, 'sdnode.code.upgrade', [{ module, type: 'test.counter' }]);
    expect(outcome).toMatchObject({ ok: true, report: { processes: 3, toVsn: 2 } });
    expect(await node.call(pids[1]!, { op: 'describe', args: [] })).toBe('v2 holding 20');
    const missing = await node.rpc<UpgradeOutcome>(node.name, 'sdnode.code.upgrade', [{ module, type: 'test.nothing' }]);
    expect(missing).toMatchObject({ ok: false, error: { code: 'EUPGRADE' } });
  });
});

describe('Code.upgrade: a GenStatem type', () => {
  interface DoorSpec {
    args: [];
    state: 'closed' | 'open';
    data: number;
  }
  const DoorV1 = GenStatem.define<DoorSpec>(
    'test.door',
    {
      init: () => ({ state: 'closed', data: 0 }),
      handleEvent: ({ state, data }, event) => {
        if (event.type === 'cast') return { next: state === 'closed' ? 'open' : 'closed', data: data + 1 };
        if (event.type === 'call') return { keep: true, actions: [{ reply: event.from, value: `${state} after ${data} moves` }] };
        return 'keep';
      },
    },
    { vsn: 'a' },
  );
  const DoorV2 = GenStatem.define<{ args: []; state: 'closed' | 'open'; data: { moves: number } }>(
    'test.door',
    {
      init: () => ({ state: 'closed', data: { moves: 0 } }),
      handleEvent: ({ state, data }, event) => {
        if (event.type === 'call') return { keep: true, actions: [{ reply: event.from, value: `v2: ${state}, ${data.moves} moves` }] };
        return 'keep';
      },
      codeChange: ({ state, data }, oldVsn) => ({ state: state as 'closed' | 'open', data: { moves: (data as number) + (oldVsn === 'a' ? 100 : 0) } }),
    },
    { vsn: 'b' },
  );

  it('switches the state machine, converting its data and keeping its state', async () => {
    const node = await localNode({ types: [DoorV1] });
    try {
      const door = node.spawn('test.door');
      GenStatem.cast(node, door, 'push');
      expect(await GenStatem.call(node, door, 'how')).toBe('open after 1 moves');
      expect(await Code.upgrade(node, DoorV2)).toMatchObject({ processes: 1, fromVsn: 'a', toVsn: 'b' });
      expect(await GenStatem.call(node, door, 'how')).toBe('v2: open, 101 moves');
    } finally {
      await node.stop();
    }
  });
});
