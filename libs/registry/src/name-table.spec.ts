import { Pid } from '@sdnode/wire';
import { describe, expect, it } from 'vitest';
import type { RegistryEntry } from './entry.js';
import { NameTable } from './name-table.js';

const SELF = 'a@h';
const entry = (name: string, node: string, id: string, at: number, pidId = 1): RegistryEntry => ({ name, pid: new Pid(node, pidId, 1), meta: null, id, at });

/** Every name with its entries' ids, current first: what the table answers. */
function snapshot(t: NameTable): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of [...t.names()].sort()) {
    const [cur, ...rest] = t.entriesOf(name);
    out[name] = [cur!.id, ...rest.map((e) => e.id).sort()];
  }
  return out;
}

/**
 * A table where `dead@h` holds `deadNames` names alone, and two names are contested: `x` (the
 * dead node's entry is current, a live contender) and `y` (the live entry is current).
 */
function table(deadNames: number, liveNames: number): NameTable {
  const t = new NameTable(SELF);
  for (let i = 0; i < deadNames; i++) t.add(entry(`d${i}`, 'dead@h', `dead-${i}`, 10));
  for (let i = 0; i < liveNames; i++) t.add(entry(`l${i}`, i % 2 === 0 ? 'b@h' : SELF, `live-${i}`, 10, 100 + i));
  t.add(entry('x', 'dead@h', 'x-dead', 1));
  t.add(entry('x', 'b@h', 'x-live', 2));
  t.add(entry('x', 'c@h', 'x-live2', 3));
  t.add(entry('y', 'b@h', 'y-live', 1));
  t.add(entry('y', 'dead@h', 'y-dead', 2));
  return t;
}

describe('NameTable.removeNode', () => {
  // Few entries go (removed one by one) and most go (tables rebuilt): the same answers.
  for (const [what, dead, live] of [
    ['a few of many entries', 3, 40],
    ['most of the entries', 40, 3],
  ] as const) {
    it(`removes ${what}, promoting the next contender of a name whose current entry went`, () => {
      const t = table(dead, live);
      const changes = t.removeNode('dead@h');
      const expected: Record<string, string[]> = { x: ['x-live', 'x-live2'], y: ['y-live'] };
      for (let i = 0; i < live; i++) expected[`l${i}`] = [`live-${i}`];
      expect(snapshot(t)).toEqual(expected);
      expect(t.size).toBe(live + 2);
      expect(t.find('y', 'y-dead')).toBeUndefined();
      expect(t.find('x', 'x-live2')?.id).toBe('x-live2');
      expect(t.conflicted().sort()).toEqual(['x']);
      // One change per name whose current entry went, the next contender (or nothing) after it.
      const byName = new Map(changes.map((c) => [c.name, c]));
      expect(byName.size).toBe(dead + 1);
      expect(byName.get('x')?.before?.id).toBe('x-dead');
      expect(byName.get('x')?.after?.id).toBe('x-live');
      expect(byName.get('d0')?.after).toBeUndefined();
      expect(byName.has('y')).toBe(false);
      // Not tombstoned: the node left the view, its entries may come back with it.
      expect(t.isTombstoned('dead-0')).toBe(false);
      // This node's own pids stay indexed.
      expect(t.entriesOfPid(101).map((e) => e.id)).toEqual(['live-1']);
      expect(t.add(entry('d0', 'c@h', 'again', 20))).toEqual({ name: 'd0', before: undefined, after: expect.objectContaining({ id: 'again' }) });
    });
  }

  it('builds no changes when asked not to report them, and removes the same', () => {
    const t = table(40, 3);
    expect(t.removeNode('dead@h', false)).toEqual([]);
    expect(t.size).toBe(5);
    expect(t.get('x')?.id).toBe('x-live');
  });

  it('removes nothing when the node holds nothing', () => {
    const t = table(0, 5);
    expect(t.removeNode('nobody@h')).toEqual([]);
    expect(t.size).toBe(7);
  });
});
