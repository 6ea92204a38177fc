import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { commonLevel, sharedLevels, spreadKey, ultrametric, withinLevel, type Location } from './distance.js';

const LEVELS = ['region', 'zone', 'rack', 'host'];

// Locations drawn from a small alphabet so that shared prefixes are common; a level may be left out.
const location = fc.record(
  { region: fc.constantFrom('r1', 'r2'), zone: fc.constantFrom('z1', 'z2'), rack: fc.constantFrom('k1', 'k2'), host: fc.constantFrom('h1', 'h2') },
  { requiredKeys: ['region'] },
);
const placed = fc.record({ node: fc.constantFrom('a', 'b', 'c', 'd'), location });
type Placed = { node: string; location: Location };
const d = (x: Placed, y: Placed): number => ultrametric(x.node === y.node, x.location, y.location, LEVELS);

describe('distance', () => {
  it('is an ultrametric: zero on the same node, symmetric, and d(a,c) <= max(d(a,b), d(b,c))', () => {
    fc.assert(
      fc.property(placed, placed, placed, (a, b, c) => {
        // a node has one location: the same name must mean the same place
        if ((a.node === b.node && JSON.stringify(a.location) !== JSON.stringify(b.location)) || (b.node === c.node && JSON.stringify(b.location) !== JSON.stringify(c.location)) || (a.node === c.node && JSON.stringify(a.location) !== JSON.stringify(c.location))) return;
        expect(d(a, a)).toBe(0);
        expect(d(a, b)).toBe(d(b, a));
        expect(d(a, c)).toBeLessThanOrEqual(Math.max(d(a, b), d(b, c)));
        expect(d(a, b)).toBeGreaterThanOrEqual(0);
        expect(d(a, b)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });

  it("is SD Erlang's 2^(1-k), k the shared tree vertices with the root", () => {
    const a = { region: 'eu', zone: 'a', rack: '1', host: 'x' };
    expect(ultrametric(false, a, { region: 'us' }, LEVELS)).toBe(1); // only the root: k = 1
    expect(ultrametric(false, a, { region: 'eu', zone: 'b' }, LEVELS)).toBe(0.5); // root + region
    expect(ultrametric(false, a, { region: 'eu', zone: 'a', rack: '2' }, LEVELS)).toBe(0.25);
    expect(ultrametric(false, a, { ...a }, LEVELS)).toBe(1 / 16); // same host, another node
    expect(ultrametric(true, a, a, LEVELS)).toBe(0);
  });

  it('a level left out ends the shared prefix (an unknown value matches nothing)', () => {
    expect(sharedLevels({ region: 'eu', rack: '1' }, { region: 'eu', rack: '1' }, LEVELS)).toBe(1);
    expect(sharedLevels({}, {}, LEVELS)).toBe(0);
  });

  it('within a level agrees with the ultrametric and the common level', () => {
    fc.assert(
      fc.property(location, location, fc.constantFrom('node', 'anywhere', ...LEVELS), (x, y, level) => {
        const within = withinLevel(false, x, y, level, LEVELS);
        const k = sharedLevels(x, y, LEVELS);
        const depth = level === 'anywhere' ? 0 : level === 'node' ? Infinity : LEVELS.indexOf(level) + 1;
        expect(within).toBe(k >= depth);
        // within level L <=> the distance is at most the distance of sharing exactly L's depth
        if (depth !== Infinity) expect(within).toBe(ultrametric(false, x, y, LEVELS) <= 2 ** -depth);
        expect(commonLevel(false, x, y, LEVELS)).toBe(k === 0 ? 'anywhere' : LEVELS[k - 1]);
      }),
    );
  });

  it('spreads by the full path down to the level', () => {
    expect(spreadKey('a', { region: 'eu', zone: 'a', rack: '1' }, 'rack', LEVELS)).not.toBe(spreadKey('b', { region: 'eu', zone: 'b', rack: '1' }, 'rack', LEVELS));
    expect(spreadKey('a', { region: 'eu', zone: 'a' }, 'zone', LEVELS)).toBe(spreadKey('b', { region: 'eu', zone: 'a', rack: '9' }, 'zone', LEVELS));
    expect(spreadKey('a', { region: 'eu' }, 'zone', LEVELS)).toBeUndefined();
    expect(spreadKey('a', {}, 'node', LEVELS)).toBe('a');
  });
});
