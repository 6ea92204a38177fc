import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError, parseClusterConfig } from '@sdnode/config';
import { InvalidPlacementSpecError, normalizeSpec } from '@sdnode/placement';

// The cluster file's placement section (checked by @sdnode/config, which may not depend on the
// placement layer) and @sdnode/placement's own check must agree: a policy the loader accepts is
// one placement accepts, and the other way round. Policies are drawn from valid and invalid values
// of every field, and judged by both.
const LEVELS = ['zone', 'rack', 'host'];
// Mostly valid values, now and then an invalid one, so that both verdicts come up often.
const mostly = <T, U>(ok: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ arbitrary: ok, weight: 8 }, { arbitrary: bad, weight: 1 });
const level = mostly(fc.constantFrom('node', 'zone', 'rack', 'anywhere'), fc.constant('galaxy'));
const value = fc.oneof(fc.constantFrom('web', 'db'), fc.integer({ min: -5, max: 5 }), fc.boolean());
const condition = fc.oneof(
  value,
  fc.record({ eq: value, ne: value, lt: fc.oneof(fc.integer(), fc.constant('x')), ge: fc.integer(), in: fc.array(value, { minLength: 1, maxLength: 2 }), exists: fc.boolean(), between: fc.integer() }, { requiredKeys: [] }),
);
const target = mostly(
  fc.oneof(fc.constant({}), fc.record({ node: fc.constantFrom('a@h', 'b@h') }), fc.record({ name: fc.constant('db'), scope: fc.constant('g1') }, { requiredKeys: ['name'] })),
  fc.record({ node: fc.constant('a@h'), name: fc.constant('db'), scope: fc.constant('g1') }, { requiredKeys: [] }),
);
const near = fc
  .tuple(target, mostly(fc.oneof(level, fc.constantFrom(0, 0.25, 1)), fc.constant(2)), mostly(fc.constant(undefined), fc.constantFrom(2, -1)))
  .map(([t, within, rtt]) => ({ ...t, within, ...(rtt !== undefined ? { rtt } : {}) }));
const away = fc.tuple(target, fc.record({ level }, { requiredKeys: [] })).map(([t, a]) => ({ ...t, ...a }));
const policy = fc.record(
  {
    group: fc.oneof(fc.constant('g1'), fc.constant(['g1', 'g2'])),
    where: fc.dictionary(fc.constantFrom('tier', 'cores', 'ssd'), condition, { maxKeys: 2 }),
    near: fc.oneof(near, fc.array(near, { minLength: 1, maxLength: 2 })),
    away: fc.oneof(away, fc.array(away, { minLength: 1, maxLength: 2 })),
    self: mostly(fc.constantFrom('include', 'exclude'), fc.constant('maybe')),
    exclude: fc.constantFrom(['a@h'], []),
    maxAge: mostly(fc.constant(500), fc.constant(0)),
    strategy: mostly(fc.constantFrom('least_loaded', 'random', 'round_robin', 'nearest', 'key', 'first'), fc.constant('best')),
    key: fc.constantFrom('k'),
    loadAttribute: fc.constantFrom('load'),
    count: mostly(fc.constantFrom(1, 2, 3), fc.constant(0)),
    spread: level,
    pack: fc.boolean(),
  },
  { requiredKeys: [] },
);
/** Usually repaired so the fields fit together (most random combinations do not), sometimes left as drawn. */
const policyMaybeRepaired = fc.tuple(policy, fc.integer({ min: 0, max: 3 })).map(([drawn, dice]) => {
  if (dice === 0) return drawn;
  const p: Record<string, unknown> = { ...drawn };
  if (p['strategy'] === 'key') p['key'] ??= 'k';
  else delete p['key'];
  if (p['strategy'] !== undefined && p['strategy'] !== 'least_loaded') delete p['loadAttribute'];
  if (p['spread'] !== undefined) delete p['pack'];
  if ((p['spread'] !== undefined || p['pack'] === true) && p['count'] === 1) p['count'] = 2;
  return p;
});

function loaderAccepts(p: Record<string, unknown>): boolean {
  const doc = { version: 1, locationLevels: LEVELS, nodes: ['a@h'], placement: { p } };
  try {
    parseClusterConfig(JSON.stringify(doc), { file: 'cluster.json' });
    return true;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return false;
  }
}

function placementAccepts(p: Record<string, unknown>): boolean {
  try {
    normalizeSpec(p, LEVELS);
    return true;
  } catch (e) {
    if (!(e instanceof InvalidPlacementSpecError)) throw e;
    return false;
  }
}

describe('placement policies: the cluster file and the placement layer agree', () => {
  it('accept and reject the same policies', () => {
    let accepted = 0;
    fc.assert(
      fc.property(policyMaybeRepaired, (p) => {
        const byPlacement = placementAccepts(p);
        expect({ policy: p, loader: loaderAccepts(p) }).toEqual({ policy: p, loader: byPlacement });
        if (byPlacement) accepted++;
      }),
      { numRuns: 200 },
    );
    expect(accepted).toBeGreaterThan(5); // both verdicts were exercised
  }, 120_000);
});
