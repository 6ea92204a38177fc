import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sdnode/wire';
import { resolveNodes, startWaves } from './cluster-options.js';
import { loopbackAddress } from './local/loopback.js';

const loopback = (_: string, i: number) => loopbackAddress(i);

describe('cluster options', () => {
  it('names N nodes n1..nN on their own loopback addresses, each seeding the first', () => {
    const nodes = resolveNodes({ nodes: 3 }, loopback);
    expect(nodes.map((n) => [n.name, n.seeds])).toEqual([
      ['n1@127.0.0.2', []],
      ['n2@127.0.0.3', ['n1@127.0.0.2']],
      ['n3@127.0.0.4', ['n1@127.0.0.2']],
    ]);
  });

  it('keeps full names, resolves seeds given by short name, and adds the common flags first', () => {
    const nodes = resolveNodes({ nodes: [{ name: 'a@10.0.0.1' }, { name: 'b', seeds: ['a'], args: ['--watch'] }, { name: 'h', hidden: true }], args: ['--x'] }, loopback);
    expect(nodes[1]).toMatchObject({ name: 'b@127.0.0.3', seeds: ['a@10.0.0.1'], args: ['--x', '--watch'] });
    expect(nodes[2]).toMatchObject({ hidden: true, seeds: ['a@10.0.0.1'] });
  });

  it('rejects duplicate names, unknown seeds and an empty cluster', () => {
    expect(() => resolveNodes({ nodes: ['a', 'a'] }, loopback)).toThrow(InvalidArgumentError);
    expect(() => resolveNodes({ nodes: [{ name: 'a', seeds: ['zz'] }] }, loopback)).toThrow(/zz, which is not a node/);
    expect(() => resolveNodes({ nodes: [] }, loopback)).toThrow(InvalidArgumentError);
  });

  it('orders starts in waves after their seeds, and reports a cycle', () => {
    const nodes = resolveNodes({ nodes: [{ name: 'a', seeds: ['b'] }, { name: 'b' }, { name: 'c', seeds: ['a'] }], seeds: 'none' }, loopback);
    expect(startWaves(nodes).map((w) => w.map((n) => n.shortName))).toEqual([['b'], ['a'], ['c']]);
    const cycle = resolveNodes({ nodes: [{ name: 'a', seeds: ['b'] }, { name: 'b', seeds: ['a'] }] }, loopback);
    expect(() => startWaves(cycle)).toThrow(/cycle/);
  });

  it('gives 253 nodes addresses in 127.0.0.0/24 and goes on in 127.0.1.0/24', () => {
    expect(loopbackAddress(252)).toBe('127.0.0.254');
    expect(loopbackAddress(253)).toBe('127.0.1.1');
  });
});
