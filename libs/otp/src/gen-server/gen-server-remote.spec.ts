import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryNetwork } from '@sdnode/transport';
import type { Node } from '@sdnode/core';
import { CalleeExitError, ExitReasons, NoConnectionError, NoProcError, StartError, UnknownProcessTypeError, type ExitReason, type Pid } from '@sdnode/wire';
import { GenServer } from './gen-server.js';
import { Sys } from '../common/sys.js';
import { alive, memoryCluster, waitFor, waitUntil } from '../testing.test-util.js';

interface BankSpec {
  args: [opening: number];
  state: { balance: number; parked: unknown[] };
  calls: { balance(): number; deposit(amount: number): number; hold(): never; fail(reason: ExitReason): never };
  casts: { withdraw(amount: number): void };
}

const Bank = GenServer.define<BankSpec>('test.bank', {
  init: (_ctx, opening) => (opening < 0 ? { stop: ExitReasons.other('negative opening balance') } : { state: { balance: opening, parked: [] } }),
  handleCall: {
    balance: ({ state }) => ({ reply: state.balance, state }),
    deposit: ({ state }, amount) => ({ reply: state.balance + amount, state: { ...state, balance: state.balance + amount } }),
    hold: ({ state, from }) => ({ noreply: true, state: { ...state, parked: [...state.parked, from] } }),
    fail: ({ state }, reason) => ({ stop: reason, state }),
  },
  handleCast: { withdraw: ({ state }, amount) => ({ state: { ...state, balance: state.balance - amount } }) },
});

describe('GenServer across nodes (MemoryTransport, encoded)', () => {
  let network: MemoryNetwork;
  let a: Node;
  let b: Node;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    const c = await memoryCluster(['a', 'b'], { types: [Bank] });
    ({ network, stop } = c);
    [a, b] = c.nodes as [Node, Node];
  });
  afterEach(async () => {
    await stop();
  });

  it('starts a server on another node by type name and calls it by remote pid and by {name, node}', async () => {
    const pid = await Bank.start(a, [100], { node: b.name, name: 'bank' });
    expect(pid.node).toBe(b.name);
    expect(b.whereis('bank')?.equals(pid)).toBe(true);
    expect(await GenServer.call(a, pid, 'deposit', [5])).toBe(105);
    const byName = Bank.ref({ name: 'bank', node: b.name });
    GenServer.cast(a, byName, 'withdraw', [30]);
    expect(await GenServer.call(a, byName, 'balance')).toBe(75);
  });

  it('serves the typed client from a process on the other node, in order', async () => {
    const pid = await Bank.start(b, [0], { name: 'bank' });
    const got = await a.run(async (ctx) => {
      const bank = Bank.client(ctx, { name: 'bank', node: b.name }, { timeout: 3000 });
      for (let i = 0; i < 10; i++) bank.cast.withdraw(1);
      return [await bank.call.deposit(20), await bank.call.balance()];
    });
    expect(got).toEqual([10, 10]);
    expect(alive(b, pid)).toBe(true);
  });

  it('reports a remote init that stops as StartError with its reason, and an unknown type as UnknownProcessTypeError', async () => {
    const e = (await Bank.start(a, [-1], { node: b.name }).catch((x: unknown) => x)) as StartError;
    expect(e).toBeInstanceOf(StartError);
    expect(e.reason).toEqual({ kind: 'other', value: 'negative opening balance' });
    await expect(GenServer.start(a, Bank, [1], { node: 'ghost@127.0.0.1', timeout: 1000 })).rejects.toBeInstanceOf(NoConnectionError);
    const Unknown = GenServer.define<{ state: null }>('test.only-on-a', { init: () => ({ state: null }) });
    await expect(Unknown.start(a, [], { node: b.name })).rejects.toBeInstanceOf(UnknownProcessTypeError);
  });

  it('fails a call to an unknown remote name with NoProcError and to an exiting server with CalleeExitError', async () => {
    await expect(GenServer.call(a, Bank.ref({ name: 'nobody', node: b.name }), 'balance')).rejects.toBeInstanceOf(NoProcError);
    const pid = await Bank.start(a, [1], { node: b.name });
    const e = (await GenServer.call(a, pid, 'fail', [ExitReasons.other('closed')]).catch((x: unknown) => x)) as CalleeExitError;
    expect(e).toBeInstanceOf(CalleeExitError);
    expect(e.reason).toEqual({ kind: 'other', value: 'closed' });
  });

  it('fails a pending call with NoConnectionError when the server node goes down', async () => {
    const pid = await Bank.start(b, [0]);
    const pending = GenServer.call(a, pid, 'hold', [], { timeout: 10_000 }).catch((x: unknown) => x);
    await waitFor(async () => (await Sys.getState<BankSpec['state']>(b, pid)).parked.length === 1, 'the call is parked on b');
    network.kill(b.name);
    expect(await pending).toBeInstanceOf(NoConnectionError);
  });

  it('links a remote server to its starter: it exits when the starter crashes', async () => {
    let server: Pid | undefined;
    const starter = a.spawnFn(async (ctx) => {
      server = await Bank.startLink(ctx, [1], { node: b.name });
      await ctx.receive((m) => (m === 'crash' ? m : undefined));
      throw new Error('starter crashed');
    });
    await waitUntil(() => server !== undefined, 'remote server started');
    a.send(starter, 'crash');
    await waitUntil(() => !alive(b, server!), 'remote server exited with its starter');
  });

  it('answers system requests over the network: state, status, stop', async () => {
    const pid = await Bank.start(a, [42], { node: b.name, name: 'bank' });
    expect(await Sys.getState(a, pid)).toEqual({ balance: 42, parked: [] });
    const status = await Sys.getStatus(a, { name: 'bank', node: b.name });
    expect(status).toMatchObject({ behaviour: 'gen_server', type: 'test.bank', status: 'running', name: 'bank', parent: null });
    expect(status.pid.equals(pid)).toBe(true);
    await GenServer.stop(a, pid, ExitReasons.shutdown());
    expect(alive(b, pid)).toBe(false);
  });
});
