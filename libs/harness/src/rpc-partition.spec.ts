import { describe, expect, it } from 'vitest';
import { FaultInjectionError, NoConnectionError, RemoteCallError } from '@sdnode/wire';
import type { NodeInstance, PartitionDriver, ResolvedNode } from './backend.js';
import { HarnessFunctions } from './node-side/harness-functions.js';
import { healByRpc, partitionByRpc } from './rpc-partition.js';

const node = (name: string): ResolvedNode => ({ name, shortName: name, host: '127.0.0.1', hidden: false, seeds: [], args: [] });

/** A driver over fake nodes: each node's answers are scripted (an Error is thrown, anything else answered); it records every call. */
function fakeDriver(script: Record<string, Array<unknown>>, running = Object.keys(script)) {
  const calls: string[] = [];
  const blocked = new Map<string, string[]>();
  const driver: PartitionDriver = {
    instance: (n) => (running.includes(n) ? ({} as NodeInstance) : undefined),
    rpc: async (n, fn, args) => {
      calls.push(`${n} ${fn}`);
      const next = script[n]?.shift();
      if (next instanceof Error) throw next;
      if (fn === HarnessFunctions.block) blocked.set(n, args[0] as string[]);
      if (fn === HarnessFunctions.unblock) blocked.delete(n);
      return true;
    },
  };
  return { driver, calls, blocked };
}

describe('partition and heal through rpc', () => {
  it('tries a node again when the driver lost its connection to it, and applies the partition to every node', async () => {
    const { driver, calls, blocked } = fakeDriver({ a: [new NoConnectionError('a')], b: [] });
    await partitionByRpc([[node('a')], [node('b')]], driver, 'partition', 2_000);
    expect(calls.filter((c) => c.startsWith('a '))).toHaveLength(2);
    expect(Object.fromEntries(blocked)).toEqual({ a: ['b'], b: ['a'] });
  });

  it('rolls the partition back on every node that had it when one node stays unreachable', async () => {
    const lost = Array.from({ length: 100 }, () => new NoConnectionError('c'));
    const { driver, blocked } = fakeDriver({ a: [], b: [], c: lost });
    const error = await partitionByRpc([[node('a'), node('b')], [node('c')]], driver, 'partition', 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaultInjectionError);
    expect((error as Error).message).toMatch(/c: no connection to node c.*rolled back on the 2 node/);
    expect(blocked.size).toBe(0);
  });

  it('does not retry an answer that refuses, and leaves out nodes that do not run', async () => {
    const { driver, calls } = fakeDriver({ a: [new RemoteCallError('a', HarnessFunctions.block, { name: 'Error', message: 'boom' })], b: [] }, ['a', 'b']);
    await expect(partitionByRpc([[node('a')], [node('b'), node('gone')]], driver, 'partition', 2_000)).rejects.toBeInstanceOf(FaultInjectionError);
    expect(calls.filter((c) => c === `a ${HarnessFunctions.block}`)).toHaveLength(1);
    expect(calls.some((c) => c.startsWith('gone'))).toBe(false);
  });

  it('heals every running node, retrying transient loss, and names the nodes it could not reach', async () => {
    const ok = fakeDriver({ a: [new NoConnectionError('a')], b: [] });
    await healByRpc([node('a'), node('b')], ok.driver, 'heal', 2_000);
    expect(ok.calls.filter((c) => c.endsWith(HarnessFunctions.unblock))).toHaveLength(3);
    const bad = fakeDriver({ a: Array.from({ length: 100 }, () => new NoConnectionError('a')), b: [] });
    await expect(healByRpc([node('a'), node('b')], bad.driver, 'heal', 200)).rejects.toThrow(/a: no connection to node a/);
  });
});
