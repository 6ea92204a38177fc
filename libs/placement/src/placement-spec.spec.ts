import { describe, expect, it } from 'vitest';
import { InvalidPlacementSpecError, Pid } from '@sdnode/wire';
import { normalizeSpec, type PlacementSpec } from './placement-spec.js';

const LEVELS = ['region', 'zone', 'host'];
const fieldOf = (spec: unknown): string => {
  try {
    normalizeSpec(spec, LEVELS);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidPlacementSpecError);
    return (e as InvalidPlacementSpecError).field;
  }
  throw new Error(`accepted ${JSON.stringify(spec)}`);
};

describe('placement specs', () => {
  it('fills in the defaults', () => {
    const s = normalizeSpec({}, LEVELS);
    expect(s).toMatchObject({ strategy: 'least_loaded', loadAttribute: 'load', count: 1, self: 'include', pack: false, groups: [], near: [], away: [] });
  });

  it('takes a full multi-zone spec, with a pid target', () => {
    const spec: PlacementSpec = {
      group: ['g1', 'g2'],
      where: { tier: 'web', memFree: { ge: 512 }, gpu: { exists: true }, zone: { in: ['a', 'b'] } },
      near: [{ pid: new Pid('db@h', 1, 1), within: 'region' }, { rtt: 2 }],
      away: { name: 'primary', scope: 'g1', level: 'zone' },
      self: 'exclude',
      exclude: ['old@h'],
      maxAge: 5000,
      count: 3,
      spread: 'zone',
    };
    const s = normalizeSpec(spec, LEVELS);
    expect(s.groups).toEqual(['g1', 'g2']);
    expect(s.where.map(([k]) => k)).toEqual(['tier', 'memFree', 'gpu', 'zone']);
    expect(s.where[0]![1]).toEqual({ eq: 'web' });
    expect(s.near).toHaveLength(2);
    expect(s.away).toHaveLength(1);
  });

  it('rejects each malformed field with a typed error naming it', () => {
    expect(fieldOf('x')).toBe('spec');
    expect(fieldOf({ colour: 1 })).toBe('colour');
    expect(fieldOf({ group: [1] })).toBe('group');
    expect(fieldOf({ where: { a: { between: 1 } } })).toBe('where.a.between');
    expect(fieldOf({ where: { a: { lt: 'x' } } })).toBe('where.a.lt');
    expect(fieldOf({ where: { a: {} } })).toBe('where.a');
    expect(fieldOf({ where: { a: { in: [{}] } } })).toBe('where.a.in');
    expect(fieldOf({ near: { node: 'a@h' } })).toBe('near');
    expect(fieldOf({ near: { node: 'a@h', within: 'rack' } })).toBe('near.within');
    expect(fieldOf({ near: { node: 'a@h', within: 2 } })).toBe('near.within');
    expect(fieldOf({ near: [{ within: 'zone' }, { node: 'a@h', rtt: 2 }] })).toBe('near[1].rtt');
    expect(fieldOf({ near: { node: 'a@h', name: 'x', within: 'zone' } })).toBe('near');
    expect(fieldOf({ near: { scope: 'g', within: 'zone' } })).toBe('near.scope');
    expect(fieldOf({ away: { level: 'zone' } })).toBe('away');
    expect(fieldOf({ away: { node: 'a@h', level: 'galaxy' } })).toBe('away.level');
    expect(fieldOf({ self: 'maybe' })).toBe('self');
    expect(fieldOf({ maxAge: -1 })).toBe('maxAge');
    expect(fieldOf({ strategy: 'best' })).toBe('strategy');
    expect(fieldOf({ strategy: 'key' })).toBe('key');
    expect(fieldOf({ key: 'k' })).toBe('key');
    expect(fieldOf({ strategy: 'random', loadAttribute: 'cpu' })).toBe('loadAttribute');
    expect(fieldOf({ count: 0 })).toBe('count');
    expect(fieldOf({ count: 1.5 })).toBe('count');
    expect(fieldOf({ count: 2, spread: 'continent' })).toBe('spread');
    expect(fieldOf({ count: 2, spread: 'zone', pack: true })).toBe('spread');
    expect(fieldOf({ spread: 'zone' })).toBe('spread');
    expect(fieldOf({ pack: true })).toBe('pack');
  });
});
