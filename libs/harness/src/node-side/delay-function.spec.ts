import { afterEach, describe, expect, it } from 'vitest';
import { Node } from '@sdnode/core';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { RemoteCallError, UnknownFunctionError } from '@sdnode/wire';
import { HarnessFunctions, harnessFunctions, type NodeState } from './harness-functions.js';

const COOKIE = 'delay-test';
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

describe('the delay harness function (sdnode.harness.delay)', () => {
  const nodes: Node[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  /** A node with the harness functions; `hooks`: with the delay fault, as `sdnode start --fault-hooks` has it. */
  async function start(network: MemoryNetwork, name: string, hooks: boolean): Promise<Node> {
    const node = await Node.start({ name, cookie: COOKIE, transport: new MemoryTransport({ name, cookie: COOKIE, network }), logger: quiet });
    for (const [fn, impl] of Object.entries(harnessFunctions(node, undefined, undefined, undefined, hooks ? node : undefined))) node.registerFunction(fn, impl);
    nodes.push(node);
    return node;
  }

  it('sets the outbound delay of the node, shows it in the state, and 0 lifts it', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a@t', true);
    const driver = await start(network, 'driver@t', false);
    const state = (): Promise<NodeState> => driver.rpc<NodeState>(a.name, HarnessFunctions.state);
    expect((await state()).outboundDelay).toBe(0);
    const t0 = performance.now();
    await driver.rpc(a.name, HarnessFunctions.delay, [30]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(30); // the answer itself was held
    expect(a.outboundDelay).toBe(30);
    expect((await state()).outboundDelay).toBe(30);
    await driver.rpc(a.name, HarnessFunctions.delay, [0]);
    expect(a.outboundDelay).toBe(0);
  });

  it('answers a bad delay with the typed error, and is absent without the fault hooks', async () => {
    const network = new MemoryNetwork();
    const a = await start(network, 'a@t', true);
    const plain = await start(network, 'plain@t', false);
    for (const bad of [-5, 'x', null]) {
      await expect(plain.rpc(a.name, HarnessFunctions.delay, [bad])).rejects.toThrow(RemoteCallError);
    }
    await expect(plain.rpc(a.name, HarnessFunctions.delay, [-5])).rejects.toThrow(/0\.\.2147483647/);
    expect(a.outboundDelay).toBe(0);
    await expect(a.rpc(plain.name, HarnessFunctions.delay, [10])).rejects.toThrow(UnknownFunctionError);
  });
});
