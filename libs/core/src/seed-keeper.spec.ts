import { afterEach, describe, expect, it } from 'vitest';
import { MemoryNetwork } from '@sdnode/transport';
import type { Node } from './node.js';
import { SeedKeeper } from './seed-keeper.js';
import { memoryNode, waitUntil } from './wait-until.test-util.js';

describe('SeedKeeper', () => {
  const stops: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  async function nodes(network: MemoryNetwork, ...names: string[]): Promise<Node[]> {
    const started: Node[] = [];
    for (const name of names) {
      const node = await memoryNode(network, name, { netTickTime: 60_000 });
      stops.push(() => node.stop());
      started.push(node);
    }
    return started;
  }

  it('connects to its seeds at start, and again after a seed connection went down', async () => {
    const network = new MemoryNetwork();
    const [a, s1, s2] = await nodes(network, 'a', 's1', 's2');
    const keeper = new SeedKeeper(a!, [s1!.name, s2!.name], { initialDelayMs: 5 });
    stops.push(() => keeper.stop());
    keeper.start();
    await waitUntil(() => a!.nodes().includes(s1!.name) && a!.nodes().includes(s2!.name), 'a connected to both seeds');

    network.partition(a!.name, s1!.name);
    a!.disconnect(s1!.name);
    await waitUntil(() => !a!.nodes().includes(s1!.name), 's1 down on a');
    network.heal();
    await waitUntil(() => a!.nodes().includes(s1!.name), 'a reconnected to s1 by itself');
  });

  it('keeps trying a seed that is not there yet, and finds it once it starts', async () => {
    const network = new MemoryNetwork();
    const [a] = await nodes(network, 'a');
    const failures: string[] = [];
    const keeper = new SeedKeeper(a!, ['late@127.0.0.1'], { initialDelayMs: 5, maxDelayMs: 20, connectTimeoutMs: 200, onAttemptFailed: (seed) => failures.push(seed) });
    stops.push(() => keeper.stop());
    keeper.start();
    await waitUntil(() => failures.length >= 2, 'two failed attempts');
    await nodes(network, 'late');
    await waitUntil(() => a!.nodes().includes('late@127.0.0.1'), 'a connected to the late seed');
    expect(new Set(failures)).toEqual(new Set(['late@127.0.0.1']));
  });

  it('leaves alone a seed that `wanted` declines, and stops trying once stopped', async () => {
    const network = new MemoryNetwork();
    const [a, s1] = await nodes(network, 'a', 's1');
    const asked: string[] = [];
    const keeper = new SeedKeeper(a!, [s1!.name], { wanted: (seed) => (asked.push(seed), false) });
    keeper.start();
    keeper.stop();
    expect(asked).toEqual([s1!.name]);
    expect(a!.nodes()).toEqual([]);
  });
});
