// OTP behaviours named in the real distributed registry: a GenServer started under
// { global: name } on one node is called by that name from another; a second start of the same
// name anywhere fails with NameTakenError; when the server exits, the name goes everywhere.
// (Here because the registry and otp are sibling layers: only an app may use both.)
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Node } from '@sdnode/core';
import { GenServer } from '@sdnode/otp';
import { Registry } from '@sdnode/registry';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { NameTakenError, NoProcError } from '@sdnode/wire';

interface CounterSpec {
  args: [start: number];
  state: number;
  calls: { get(): number; where(): string };
  casts: { add(k: number): void };
}

const Counter = GenServer.define<CounterSpec>('test.global-counter', {
  init: (_ctx, n) => ({ state: n }),
  handleCall: {
    get: ({ state }) => ({ reply: state, state }),
    where: ({ ctx, state }) => ({ reply: ctx.node.name, state }),
  },
  handleCast: { add: ({ state }, k) => ({ state: state + k }) },
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('GenServers named in the global registry', () => {
  let nodes: Node[];
  let registries: Registry[];
  beforeEach(async () => {
    const network = new MemoryNetwork();
    nodes = [];
    for (const n of ['a', 'b']) {
      const name = `${n}@127.0.0.1`;
      nodes.push(await Node.start({ name, cookie: 'c', transport: new MemoryTransport({ network, name, cookie: 'c', encode: true }), types: [Counter] }));
    }
    registries = nodes.map((n) => Registry.start(n));
    await nodes[0]!.connect('b@127.0.0.1', { timeout: 3000 });
    await until(() => registries.every((r) => r.global.view().members.length === 2 && r.global.view().stable), 'the global scope over a and b');
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('starts under {global} on one node and is called by that name from the other', async () => {
    const [a, b] = nodes as [Node, Node];
    const pid = await Counter.start(a, [40], { name: { global: 'counter' } });
    await until(() => registries[1]!.global.whereis('counter')?.equals(pid) === true, 'b resolves counter');
    GenServer.cast(b, Counter.ref({ global: 'counter' }), 'add', [2]);
    expect(await Counter.client(b, { global: 'counter' }).call.get()).toBe(42);
    expect(await Counter.client(b, { global: 'counter' }).call.where()).toBe(a.name);
  });

  it('refuses a second server under the same global name on another node, and frees the name when it stops', async () => {
    const [a, b] = nodes as [Node, Node];
    await Counter.start(a, [1], { name: { global: 'only-one' } });
    await until(() => registries[1]!.global.whereis('only-one') !== undefined, 'b resolves only-one');
    await expect(Counter.start(b, [2], { name: { global: 'only-one' } })).rejects.toBeInstanceOf(NameTakenError);
    await GenServer.stop(b, { global: 'only-one' });
    await until(() => registries.every((r) => r.global.whereis('only-one') === undefined), 'the name gone everywhere');
    await expect(Counter.client(b, { global: 'only-one' }).call.get()).rejects.toBeInstanceOf(NoProcError);
    const pid = await Counter.start(b, [3], { name: { global: 'only-one' } });
    expect(pid.node).toBe(b.name);
  });
});
