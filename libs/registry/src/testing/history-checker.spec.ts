import { describe, expect, it } from 'vitest';
import { checkHistory, type FinalState, type HistoryEvent } from './history-checker.test-util.js';

const sides = (at: number, entries: Array<[string, number]>): HistoryEvent => ({ t: 'topology', at, side: new Map(entries) });
const quiet = (over: Partial<FinalState> = {}): FinalState => ({
  answers: new Map([
    ['a', new Map([['n', 'p1']])],
    ['b', new Map([['n', 'p1']])],
  ]),
  alive: () => true,
  conflictsHeld: new Map(),
  conflicts: [],
  resolver: 'exitLoser',
  ...over,
});

describe('the registry history checker', () => {
  it('accepts a clean history', () => {
    const h: HistoryEvent[] = [sides(0, [['a', 0], ['b', 0]]), { t: 'ack', op: 'register', name: 'n', pid: 'p1', home: 'a', inv: 1, ack: 2 }];
    expect(checkHistory(h, quiet())).toEqual([]);
  });

  it('finds two pids acknowledged for one name on one side', () => {
    const h: HistoryEvent[] = [
      sides(0, [['a', 0], ['b', 0]]),
      { t: 'ack', op: 'register', name: 'n', pid: 'p1', home: 'a', inv: 1, ack: 2 },
      { t: 'ack', op: 'register', name: 'n', pid: 'p2', home: 'b', inv: 3, ack: 4 },
    ];
    expect(checkHistory(h, quiet())[0]).toMatch(/^\(a\) n acknowledged for p1 and then for p2/);
  });

  it('finds it when the only release was acknowledged before the first registration was made', () => {
    const h: HistoryEvent[] = [
      sides(0, [['a', 0], ['b', 0]]),
      { t: 'release', name: 'n', inv: 1, ack: 2 },
      { t: 'ack', op: 'register', name: 'n', pid: 'p1', home: 'a', inv: 3, ack: 4 },
      { t: 'ack', op: 'register', name: 'n', pid: 'p2', home: 'b', inv: 5, ack: 6 },
    ];
    expect(checkHistory(h, quiet())).toHaveLength(1);
  });

  it('allows it across sides of a partition, around a release, or after the holder exited', () => {
    const h: HistoryEvent[] = [
      sides(0, [['a', 0], ['b', 1]]),
      { t: 'ack', op: 'register', name: 'n', pid: 'p1', home: 'a', inv: 1, ack: 2 },
      { t: 'ack', op: 'register', name: 'n', pid: 'p2', home: 'b', inv: 3, ack: 4 },
      sides(5, [['a', 0], ['b', 0]]),
      { t: 'ack', op: 'register', name: 'm', pid: 'p1', home: 'a', inv: 6, ack: 9 },
      { t: 'release', name: 'm', inv: 7, ack: Infinity },
      { t: 'ack', op: 'register', name: 'm', pid: 'p2', home: 'b', inv: 8, ack: 10 },
      { t: 'exit', pid: 'p2', inv: 11 },
      { t: 'ack', op: 'register', name: 'm', pid: 'p3', home: 'a', inv: 12, ack: 13 },
    ];
    expect(checkHistory(h, quiet())).toEqual([]);
  });

  it('finds members that disagree, dead pids, held conflicts and losers that did not exit', () => {
    const problems = checkHistory([], {
      answers: new Map([
        ['a', new Map([['n', 'p1']])],
        ['b', new Map([['n', 'p2']])],
      ]),
      alive: (p) => p !== 'p2',
      conflictsHeld: new Map([['a', 1]]),
      conflicts: [{ name: 'n', winner: 'p1', losers: [{ pid: 'p3', exitedWithConflict: false }] }],
      resolver: 'exitLoser',
    });
    expect(problems.map((p) => p.slice(0, 3)).sort()).toEqual(['(b)', '(c)', '(d)', '(d)']);
  });
});
