import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileFilters, firstFailing } from './filters.js';
import { normalizeSpec, type PlacementSpec } from './placement-spec.js';
import { FakeGroups, LEVELS, populate, testHost } from './testing/view.test-util.js';

const eligibleNames = (q: { refresh(): readonly { name: string }[] }): string[] => q.refresh().map((e) => e.name).sort();

describe('filters', () => {
  it('attribute predicates: eq ne lt le gt ge in exists, a missing attribute fails all but exists:false and ne? no: ne needs the attribute', () => {
    const h = testHost();
    h.report('a@h', { cpu: 4, tier: 'web', ssd: true });
    h.report('b@h', { cpu: 16, tier: 'db' });
    h.report('c@h', {});
    const pick = (spec: PlacementSpec): string[] => eligibleNames(h.query({ self: 'exclude', ...spec }));
    expect(pick({ where: { tier: 'web' } })).toEqual(['a@h']);
    expect(pick({ where: { tier: { ne: 'web' } } })).toEqual(['b@h']);
    expect(pick({ where: { cpu: { gt: 4 } } })).toEqual(['b@h']);
    expect(pick({ where: { cpu: { ge: 4, lt: 16 } } })).toEqual(['a@h']);
    expect(pick({ where: { cpu: { le: 16 } } })).toEqual(['a@h', 'b@h']);
    expect(pick({ where: { tier: { in: ['db', 'cache'] } } })).toEqual(['b@h']);
    expect(pick({ where: { ssd: { exists: true } } })).toEqual(['a@h']);
    expect(pick({ where: { ssd: { exists: false } } })).toEqual(['b@h', 'c@h']);
    expect(pick({ where: { ssd: true } })).toEqual(['a@h']);
    expect(pick({ where: { tier: { gt: 1 } } })).toEqual([]); // a string is never greater than a number
  });

  it('near and away measure from a node, a pid or a registered name (resolved at each decision)', () => {
    const h = testHost();
    populate(h, 12, { regions: 2, zones: 2, racks: 1 });
    const target = 'n0000@h'; // r0 z0
    const near = h.query({ near: { node: target, within: 'zone' } });
    const inZone = eligibleNames(near);
    expect(inZone.length).toBeGreaterThan(1);
    for (const n of inZone) expect(h.view.get(n)!.location).toMatchObject({ region: 'r0', zone: 'z0' });
    const away = h.query({ away: { node: target, level: 'region' }, self: 'exclude' });
    for (const n of eligibleNames(away)) expect(h.view.get(n)!.location['region']).toBe('r1');
    // by name: unregistered means no node is near it (and away from it excludes nothing)
    const byName = h.query({ near: { name: 'db', within: 'region' }, self: 'exclude' });
    expect(eligibleNames(byName)).toEqual([]);
    h.names.set('db', 'n0001@h'); // region r1
    for (const n of eligibleNames(byName)) expect(h.view.get(n)!.location['region']).toBe('r1');
    h.names.set('db', 'n0000@h'); // the name moved: the set is rebuilt
    for (const n of eligibleNames(byName)) expect(h.view.get(n)!.location['region']).toBe('r0');
  });

  it('a target that reports (for the first time, or from a new location) moves every verdict measured from it', () => {
    const h = testHost();
    h.report('w1@h', {}, { region: 'r', zone: 'a' });
    h.report('w2@h', {}, { region: 'r', zone: 'b' });
    const near = h.query({ near: { node: 'x@h', within: 'zone' } });
    const away = h.query({ away: { node: 'x@h', level: 'zone' }, self: 'exclude' });
    expect(eligibleNames(near)).toEqual([]); // x is not known: nothing is near it
    expect(eligibleNames(away)).toEqual(['w1@h', 'w2@h']);
    h.report('x@h', {}, { region: 'r', zone: 'a' });
    expect(eligibleNames(near)).toEqual(['w1@h', 'x@h']);
    expect(eligibleNames(away)).toEqual(['w2@h']);
    h.report('x@h', {}, { region: 'r', zone: 'b' });
    expect(eligibleNames(near)).toEqual(['w2@h', 'x@h']);
    expect(eligibleNames(away)).toEqual(['w1@h']);
  });

  it('rtt, maxAge, groups, self and exclude', () => {
    const groups = new FakeGroups();
    const h = testHost({ groups });
    h.report('a@h', {});
    h.clock = 1000;
    h.report('b@h', {});
    h.view.setRtt('a@h', 0.4);
    h.view.setRtt('b@h', 5);
    expect(eligibleNames(h.query({ near: { rtt: 2 }, self: 'exclude' }))).toEqual(['a@h']);
    const fresh = h.query({ maxAge: 500, self: 'exclude' });
    expect(eligibleNames(fresh)).toEqual(['b@h']);
    h.clock = 1600; // b's report is now too old too, without any change of the view
    expect(eligibleNames(fresh)).toEqual([]);
    const g = h.query({ group: 'g1' });
    expect(eligibleNames(g)).toEqual([]);
    groups.set('g1', ['a@h', 'self@h']);
    expect(eligibleNames(g)).toEqual(['a@h', 'self@h']);
    expect(eligibleNames(h.query({ exclude: ['a@h'] }))).toEqual(['b@h', 'self@h']);
  });

  it('labels the first constraint that excludes a node', () => {
    const spec = normalizeSpec({ self: 'exclude', where: { tier: 'web' }, near: { rtt: 1 } }, LEVELS);
    const filters = compileFilters(spec);
    const h = testHost();
    h.report('a@h', { tier: 'db' });
    const ctx = h.query({}).context();
    expect(firstFailing(filters, h.view.get('a@h')!, ctx)?.label).toBe('where tier eq "web"');
    expect(firstFailing(filters, h.view.get('self@h')!, ctx)?.label).toBe('self excluded');
  });
});

describe('the incremental eligible set', () => {
  // A model check: after any sequence of reports, round trips, removals, clock moves and name
  // moves, the incrementally maintained set equals a set computed from scratch.
  const op = fc.oneof(
    fc.record({ t: fc.constant('report' as const), node: fc.integer({ min: 0, max: 5 }), load: fc.integer({ min: 0, max: 9 }), tier: fc.constantFrom('web', 'db'), zone: fc.constantFrom('z0', 'z1', 'z2') }),
    fc.record({ t: fc.constant('rtt' as const), node: fc.integer({ min: 0, max: 5 }), rtt: fc.integer({ min: 0, max: 6 }) }),
    fc.record({ t: fc.constant('remove' as const), node: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 400 }) }),
    fc.record({ t: fc.constant('name' as const), node: fc.integer({ min: 0, max: 5 }) }),
  );
  const specs: PlacementSpec[] = [
    { where: { tier: 'web', load: { lt: 7 } } },
    { near: { within: 'zone', name: 'anchor' }, maxAge: 600 },
    { near: { rtt: 3 }, away: { name: 'anchor', level: 'zone' }, self: 'exclude' },
  ];

  it('always equals the set computed from scratch', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.array(fc.integer({ min: 0, max: 79 }), { maxLength: 20 }), (ops, checkpoints) => {
        const h = testHost();
        const queries = specs.map((s) => h.query(s));
        const at = new Set(checkpoints);
        ops.forEach((o, i) => {
          const node = 'node' in o ? `n${o.node}@h` : '';
          if (o.t === 'report') h.report(node, { load: o.load, tier: o.tier }, { region: 'r', zone: o.zone, rack: 'k', host: node });
          else if (o.t === 'rtt') h.view.setRtt(node, o.rtt);
          else if (o.t === 'remove') h.view.remove(node);
          else if (o.t === 'tick') h.clock += o.ms;
          else h.names.set('anchor', node);
          if (at.has(i)) for (const q of queries) q.refresh(); // look now and then, as decisions do
        });
        specs.forEach((s, i) => expect(eligibleNames(queries[i]!)).toEqual(eligibleNames(h.query(s))));
      }),
      { numRuns: 300 },
    );
  });
});
