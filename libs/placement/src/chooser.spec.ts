import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NoEligibleNodeError } from '@sdnode/wire';
import { choose } from './chooser.js';
import { spreadKey } from './distance.js';
import { LEVELS, populate, seeded, testHost } from './testing/view.test-util.js';

const SELF = 'self@h';

describe('strategies', () => {
  it('least loaded (two choices) never picks the most loaded node while another is eligible', () => {
    const h = testHost();
    h.report('busy@h', { load: 0.99 });
    h.report('idle@h', { load: 0.1 });
    h.report('mid@h', { load: 0.5 });
    const q = h.query({ self: 'exclude' });
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const n = choose(q, 1, SELF, h.random)[0]!;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    expect(counts.get('busy@h') ?? 0).toBe(0);
    // two of three pairs contain idle: it wins about 2/3 of the decisions
    expect(counts.get('idle@h')! / 3000).toBeGreaterThan(0.6);
    expect(counts.get('mid@h')).toBeGreaterThan(0);
  });

  it('least loaded counts its own picks, so a count spreads over equally loaded nodes', () => {
    const h = testHost();
    for (const n of ['a', 'b', 'c', 'd']) h.report(`${n}@h`, { load: 0.2, processes: 10 });
    const picks = choose(h.query({ self: 'exclude', count: 8 }), 8, SELF, seeded(7));
    const per = new Map<string, number>();
    for (const p of picks) per.set(p, (per.get(p) ?? 0) + 1);
    expect(Math.max(...per.values())).toBeLessThanOrEqual(3);
  });

  it('a node missing the load attribute is the most loaded', () => {
    const h = testHost();
    h.report('a@h', { load: 0.9 });
    h.report('b@h', {});
    const q = h.query({ self: 'exclude' });
    for (let i = 0; i < 50; i++) expect(choose(q, 1, SELF, h.random)).toEqual(['a@h']);
  });

  it('round robin cycles through the eligible nodes in name order; first takes the first', () => {
    const h = testHost();
    for (const n of ['c', 'a', 'b']) h.report(`${n}@h`, {});
    const rr = h.query({ strategy: 'round_robin', self: 'exclude' });
    expect([1, 2, 3, 4].map(() => choose(rr, 1, SELF, h.random)[0])).toEqual(['a@h', 'b@h', 'c@h', 'a@h']);
    expect(choose(h.query({ strategy: 'first', self: 'exclude' }), 1, SELF, h.random)).toEqual(['a@h']);
  });

  it('nearest: the smallest distance from the target, then the smallest round trip', () => {
    const h = testHost();
    h.report('db@h', {}, { region: 'eu', zone: 'a', rack: '1', host: 'x' });
    h.report('same-rack@h', {}, { region: 'eu', zone: 'a', rack: '1', host: 'y' });
    h.report('same-rack2@h', {}, { region: 'eu', zone: 'a', rack: '1', host: 'z' });
    h.report('other-zone@h', {}, { region: 'eu', zone: 'b' });
    h.view.setRtt('same-rack@h', 3);
    h.view.setRtt('same-rack2@h', 0.5);
    const q = h.query({ strategy: 'nearest', near: { node: 'db@h', within: 'region' }, exclude: ['db@h'] });
    expect(choose(q, 1, SELF, h.random)).toEqual(['same-rack2@h']);
    h.view.setRtt('same-rack2@h', 9); // it got slow
    expect(choose(q, 1, SELF, h.random)).toEqual(['same-rack@h']);
  });

  it('key affinity: the same key, the same node; about 1/N of the keys move when a node joins', () => {
    const h = testHost();
    const nodes = populate(h, 10);
    const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const q = h.query({ strategy: 'key', key: 'any', self: 'exclude' });
    const where = (key: string): string => choose(q, 1, SELF, h.random, key)[0]!;
    const before = keys.map(where);
    expect(keys.map(where)).toEqual(before);
    expect(new Set(before).size).toBe(nodes.length);
    h.report('new@h', { load: 0 });
    const after = keys.map(where);
    const moved = after.filter((n, i) => n !== before[i]!);
    // every key that moved moved to the new node; about 1/11 of them did
    expect(moved.every((n) => n === 'new@h')).toBe(true);
    expect(moved.length / keys.length).toBeGreaterThan(0.04);
    expect(moved.length / keys.length).toBeLessThan(0.16);
  });

  it('pack puts all on one node; key with a count walks the ring to distinct nodes', () => {
    const h = testHost();
    populate(h, 6);
    const packed = choose(h.query({ count: 4, pack: true }), 4, SELF, h.random);
    expect(new Set(packed).size).toBe(1);
    const replicas = choose(h.query({ strategy: 'key', key: 'k', count: 3 }), 3, SELF, h.random);
    expect(new Set(replicas).size).toBe(3);
  });

  it('nothing eligible: a typed error with every candidate and what excluded it', () => {
    const h = testHost();
    h.report('a@h', { tier: 'db' });
    const q = h.query({ where: { tier: 'web' } });
    let err: unknown;
    try {
      choose(q, 1, SELF, h.random);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoEligibleNodeError);
    const e = err as NoEligibleNodeError;
    expect(e.candidates).toEqual([
      { node: 'a@h', excludedBy: 'where tier eq "web"' },
      { node: SELF, excludedBy: 'where tier eq "web"' },
    ]);
    expect(e.wanted).toBe(1);
  });
});

describe('spread', () => {
  it('never puts two in one zone while zones remain', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 12 }),
        fc.constantFrom('least_loaded' as const, 'random' as const, 'round_robin' as const, 'nearest' as const, 'first' as const),
        fc.integer(),
        (n, count, strategy, seed) => {
          const h = testHost({ seed });
          populate(h, n, { regions: 2, zones: 3, racks: 2 });
          const q = h.query({ count, spread: 'zone', strategy, self: 'exclude' });
          const picks = choose(q, count, SELF, h.random);
          expect(picks).toHaveLength(count);
          const zoneOf = (node: string): string => spreadKey(node, h.view.get(node)!.location, 'zone', LEVELS)!;
          const zones = new Set(q.refresh().map((e) => zoneOf(e.name)));
          // the first |zones| picks are all in different zones; then rounds start again
          const firstRound = picks.slice(0, zones.size).map(zoneOf);
          expect(new Set(firstRound).size).toBe(Math.min(count, zones.size));
        },
      ),
      { numRuns: 300 },
    );
  });
});
