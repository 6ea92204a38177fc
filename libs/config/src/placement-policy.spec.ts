import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  ClusterConfigLoader,
  PLACEMENT_STRATEGIES,
  formatProblem,
  stringifyClusterConfig,
  toClusterDocument,
  type PlacementAttributeCondition,
  type PlacementAway,
  type PlacementNear,
  type PlacementPolicyConfig,
  type PlacementStrategy,
} from './index.js';
import { placementPolicy } from './cluster-arbitrary.test-util.js';

const loader = new ClusterConfigLoader();

/** The placement policies of a file with one node and `section` as its placement section. */
function placementOf(section: string, extra = ''): Record<string, PlacementPolicyConfig> {
  return loader.parse(`nodes: [a]\n${extra}placement:\n${section}`, { file: 'cluster.yaml' }).placement;
}

/** Every problem of `text`, formatted `file:line:col: path: message`. */
function problems(text: string, file = 'cluster.yaml'): string[] {
  const result = loader.check(text, { file });
  if (result.ok) throw new Error('expected the configuration to be invalid');
  return result.problems.map(formatProblem);
}

/** The problems of a file with one node and `section` as its placement section (which starts on line 3). */
const placementProblems = (section: string): string[] => problems(`nodes: [a]\nplacement:\n${section}`);

const TWO_ZONES = `locationLevels: [region, zone, rack]
nodes:
  - { name: w1, host: 10.0.1.1, attributes: { ssd: true, cores: 8 }, location: { region: eu, zone: eu-1a, rack: r1 } }
  - { name: w2, host: 10.0.1.2, attributes: { ssd: true, cores: 4 }, location: { region: eu, zone: eu-1a, rack: r2 } }
  - { name: w3, host: 10.0.2.1, attributes: { ssd: true, cores: 8 }, location: { region: eu, zone: eu-1b, rack: r3 } }
  - { name: w4, host: 10.0.2.2, attributes: { ssd: false, cores: 16 }, location: { region: eu, zone: eu-1b, rack: r4 } }
sgroups:
  front: [w1, w2, w3, w4]
placement:
  replicas:
    group: [front]
    where: { ssd: true, cores: { ge: 4, lt: 64 }, tier: { in: [standard, premium], exists: true }, os: linux }
    near: [{ name: session-store, scope: front, within: region }, { rtt: 2.5 }]
    away: { node: w4@10.0.2.2, level: rack }
    self: exclude
    exclude: [old@10.0.9.9]
    maxAge: 1.5s
    strategy: least_loaded
    loadAttribute: load
    count: 2
    spread: zone
  home:
    strategy: key
    key: billing
  close:
    near: { node: w1@10.0.1.1, within: 0.25 }
    strategy: nearest
  together: { pack: true, count: 3, maxAge: 250 }
  anything: {}
`;

describe('placement policies', () => {
  it('reads a two-zone policy with every field, maxAge in milliseconds, singletons and lists as written', () => {
    expect(loader.parse(TWO_ZONES, { file: 'cluster.yaml' }).placement).toEqual({
      replicas: {
        group: ['front'],
        where: { ssd: true, cores: { ge: 4, lt: 64 }, tier: { in: ['standard', 'premium'], exists: true }, os: 'linux' },
        near: [{ name: 'session-store', scope: 'front', within: 'region' }, { rtt: 2.5 }],
        away: { node: 'w4@10.0.2.2', level: 'rack' },
        self: 'exclude',
        exclude: ['old@10.0.9.9'],
        maxAge: 1500,
        strategy: 'least_loaded',
        loadAttribute: 'load',
        count: 2,
        spread: 'zone',
      },
      home: { strategy: 'key', key: 'billing' },
      close: { near: { node: 'w1@10.0.1.1', within: 0.25 }, strategy: 'nearest' },
      together: { pack: true, count: 3, maxAge: 250 },
      anything: {},
    });
  });

  it('accepts maxAge in every duration form of the file', () => {
    expect(placementOf('  a: {maxAge: 1}\n  b: {maxAge: 500ms}\n  c: {maxAge: 2m}\n  d: {maxAge: 1h}\n  e: {maxAge: 12.4}\n')).toEqual({
      a: { maxAge: 1 },
      b: { maxAge: 500 },
      c: { maxAge: 120_000 },
      d: { maxAge: 3_600_000 },
      e: { maxAge: 12 },
    });
  });

  it('accepts every strategy, and nearest without near (distance from the calling node)', () => {
    for (const strategy of PLACEMENT_STRATEGIES.filter((s) => s !== 'key')) {
      expect(placementOf(`  p: {strategy: ${strategy}}\n`)).toEqual({ p: { strategy } });
    }
  });

  it('accepts the distance levels node, anywhere and those of locationLevels, and distances 0 to 1', () => {
    const levels = 'locationLevels: [dc, rack]\n';
    expect(placementOf('  p: {near: [{within: node}, {within: rack}, {within: anywhere}, {within: 0}, {within: 1}], away: {name: db, level: dc}, spread: rack, count: 2}\n', levels)).toEqual({
      p: { near: [{ within: 'node' }, { within: 'rack' }, { within: 'anywhere' }, { within: 0 }, { within: 1 }], away: { name: 'db', level: 'dc' }, spread: 'rack', count: 2 },
    });
  });

  it('accepts loadAttribute without a strategy (least_loaded by default), and pack: false anywhere', () => {
    expect(placementOf('  p: {loadAttribute: queue_len, pack: false}\n')).toEqual({ p: { loadAttribute: 'queue_len', pack: false } });
  });

  it('survives the normalised form: written back as data, YAML or JSON, it loads to the same policies', () => {
    const config = loader.parse(TWO_ZONES, { file: 'cluster.yaml' });
    expect(loader.normalise(toClusterDocument(config)).placement).toEqual(config.placement);
    expect(loader.parse(stringifyClusterConfig(config), { file: 'c.yaml' }).placement).toEqual(config.placement);
    expect(loader.parse(stringifyClusterConfig(config, { format: 'json' }), { file: 'c.json' }).placement).toEqual(config.placement);
    // A copy: changing the document does not change the config.
    const document = toClusterDocument(config);
    (document.placement['home'] as { key: string }).key = 'changed';
    expect(config.placement['home']?.key).toBe('billing');
  });

  it('accepts every generated policy as it was written (maxAge aside)', () => {
    fc.assert(
      fc.property(placementPolicy, (policy) => {
        const [normalised] = Object.values(placementOf(stringify({ p: policy }).replace(/^/gm, '  ')));
        const { maxAge, ...rest } = policy;
        expect(normalised).toEqual(maxAge === undefined ? rest : { ...rest, maxAge: typeof maxAge === 'number' ? Math.round(maxAge) : expect.any(Number) });
      }),
    );
  });

  it('has the types of the placement layer (a compile-time check)', () => {
    const condition: PlacementAttributeCondition = { ge: 4, in: ['a', 1, true], exists: true };
    const near: PlacementNear = { name: 'db', scope: 'global', within: 'zone' };
    const away: PlacementAway = { node: 'a@h', level: 'zone' };
    const strategy: PlacementStrategy = 'round_robin';
    const policy: PlacementPolicyConfig = { group: 'g', where: { x: condition, y: 3 }, near: [near, { rtt: 1 }], away, strategy, maxAge: 5, count: 2, spread: 'zone' };
    expect(policy.near).toHaveLength(2);
  });
});

describe('placement policy problems', () => {
  it('rejects a near or away entry that names both a node and a registered name, at the name', () => {
    expect(placementProblems('  p:\n    near: {node: a@h, name: db, within: 1}\n    away: [{name: x}, {node: b@h, name: web}]\n')).toEqual([
      'cluster.yaml:4:29: placement.p.near.name: a near constraint is relative to a node or to a registered name, not both: give node or name',
      'cluster.yaml:5:41: placement.p.away[1].name: an away constraint is relative to a node or to a registered name, not both: give node or name',
    ]);
  });

  it('rejects a near entry without within or rtt, and an away entry without a node or name, at the entry', () => {
    expect(placementProblems('  p:\n    near: {node: a@h}\n    away: [{name: db}, {level: zone}]\n')).toEqual([
      'cluster.yaml:4:11: placement.p.near: a near constraint needs within (a level or a distance) or rtt: how near (within: anywhere names only the node strategy nearest measures from)',
      'cluster.yaml:5:24: placement.p.away[1]: an away constraint needs node or name: what to keep away from (self: exclude keeps the calling node out)',
    ]);
  });

  it('rejects a maxAge of zero', () => {
    expect(placementProblems('  p: {maxAge: 0s}\n  q: {maxAge: 0.2}\n')).toEqual([
      'cluster.yaml:3:15: placement.p.maxAge: maxAge must be at least 1 ms: a node whose attributes were last heard of longer ago than maxAge is not eligible',
      'cluster.yaml:4:15: placement.q.maxAge: maxAge must be at least 1 ms: a node whose attributes were last heard of longer ago than maxAge is not eligible',
    ]);
  });

  it('rejects a scope without a name', () => {
    expect(placementProblems('  p: {near: {scope: front, within: zone}, away: [{node: a@h, scope: front}]}\n')).toEqual([
      'cluster.yaml:3:21: placement.p.near.scope: scope is the registry scope of name: give it only together with name',
      'cluster.yaml:3:69: placement.p.away[0].scope: scope is the registry scope of name: give it only together with name',
    ]);
  });

  it('rejects a within level that is not node, a location level or anywhere', () => {
    expect(placementProblems('  p:\n    near: [{within: zone}, {name: db, within: rack}]\n')).toEqual([
      'cluster.yaml:4:47: placement.p.near[1].within: unknown distance level "rack"; expected node, a location level (region, zone, host) or anywhere (see locationLevels)',
    ]);
  });

  it('rejects a within distance outside 0 to 1', () => {
    expect(placementProblems('  p: {near: [{within: 1.5}, {within: -0.1}]}\n')).toEqual([
      'cluster.yaml:3:23: placement.p.near[0].within: expected a distance from 0 (the same node) to 1 (anywhere); got 1.5',
      'cluster.yaml:3:38: placement.p.near[1].within: expected a distance from 0 (the same node) to 1 (anywhere); got -0.1',
    ]);
  });

  it('rejects an rtt of zero or less, and an rtt relative to a node or a name', () => {
    expect(placementProblems('  p: {near: [{rtt: 0}, {rtt: -2}, {node: a@h, rtt: 5}, {name: db, rtt: 1}]}\n')).toEqual([
      'cluster.yaml:3:20: placement.p.near[0].rtt: expected a round-trip time in milliseconds, greater than 0; got 0',
      'cluster.yaml:3:30: placement.p.near[1].rtt: expected a round-trip time in milliseconds, greater than 0; got -2',
      'cluster.yaml:3:52: placement.p.near[2].rtt: rtt is measured from the calling node: it cannot be combined with node or name',
      'cluster.yaml:3:72: placement.p.near[3].rtt: rtt is measured from the calling node: it cannot be combined with node or name',
    ]);
  });

  it('rejects an away level and a spread level that are not distance levels', () => {
    expect(problems('locationLevels: [dc, rack]\nnodes: [a]\nplacement:\n  p: {away: {name: db, level: zone}, spread: host, count: 2}\n')).toEqual([
      'cluster.yaml:4:31: placement.p.away.level: unknown distance level "zone"; expected node, a location level (dc, rack) or anywhere (see locationLevels)',
      'cluster.yaml:4:46: placement.p.spread: unknown distance level "host"; expected node, a location level (dc, rack) or anywhere (see locationLevels)',
    ]);
  });

  it('rejects strategy key without a key, and a key with any other strategy', () => {
    expect(placementProblems('  p: {strategy: key}\n  q: {key: user}\n  r: {strategy: random, key: user}\n')).toEqual([
      'cluster.yaml:3:17: placement.p.strategy: strategy key needs a key: the value whose consistent hash picks the node',
      "cluster.yaml:4:12: placement.q.key: key is only used by strategy key (this policy's strategy is least_loaded, the default): add strategy: key, or remove key",
      "cluster.yaml:5:30: placement.r.key: key is only used by strategy key (this policy's strategy is random): add strategy: key, or remove key",
    ]);
  });

  it('rejects loadAttribute with a strategy other than least_loaded', () => {
    expect(placementProblems('  p: {strategy: nearest, loadAttribute: load}\n')).toEqual([
      "cluster.yaml:3:41: placement.p.loadAttribute: loadAttribute is only used by strategy least_loaded (this policy's strategy is nearest)",
    ]);
  });

  it('rejects spread together with pack', () => {
    expect(placementProblems('  p: {spread: zone, pack: true, count: 3}\n')).toEqual([
      'cluster.yaml:3:27: placement.p.pack: spread and pack are exclusive: spread puts the picks in different values of a level, pack puts them all on one node; give one of them',
    ]);
  });

  it('rejects spread or pack for a single node', () => {
    expect(placementProblems('  p: {spread: zone}\n  q: {spread: zone, count: 1}\n  r: {pack: true, count: 1}\n  s: {pack: true}\n')).toEqual([
      'cluster.yaml:3:15: placement.p.spread: spread needs a count greater than 1: one node cannot be spread (count is not given, so 1)',
      'cluster.yaml:4:15: placement.q.spread: spread needs a count greater than 1: one node cannot be spread (count is 1)',
      'cluster.yaml:5:13: placement.r.pack: pack needs a count greater than 1: one node cannot be packed (count is 1)',
      'cluster.yaml:6:13: placement.s.pack: pack needs a count greater than 1: one node cannot be packed (count is not given, so 1)',
    ]);
  });

  it('rejects a count that is not an integer of at least 1 (and says no more about spread)', () => {
    expect(placementProblems('  p: {count: 0, spread: zone}\n  q: {count: 1.5}\n')).toEqual([
      'cluster.yaml:3:14: placement.p.count: expected a number of nodes: an integer of at least 1; got 0',
      'cluster.yaml:4:14: placement.q.count: expected a number of nodes: an integer of at least 1; got 1.5',
    ]);
  });

  it('wants full node names name@host in near, away and exclude, each once in exclude', () => {
    expect(placementProblems('  p: {near: {node: a, within: 1}, away: {node: "a b@h"}, exclude: [b@h, c, b@h]}\n')).toEqual([
      'cluster.yaml:3:20: placement.p.near.node: expected a full node name name@host (letters, digits, _ . - and a host); got "a"',
      'cluster.yaml:3:48: placement.p.away.node: expected a full node name name@host (letters, digits, _ . - and a host); got "a b@h"',
      'cluster.yaml:3:73: placement.p.exclude[1]: expected a full node name name@host (letters, digits, _ . - and a host); got "c"',
      'cluster.yaml:3:76: placement.p.exclude[2]: "b@h" is listed twice (also at index 0)',
    ]);
  });

  it('rejects unknown fields in a policy, a near or away entry and a condition, suggesting the field meant', () => {
    expect(placementProblems('  p:\n    stratgy: random\n    near: {nod: a@h, within: 1}\n    away: {lvl: zone, node: a@h}\n    where: {cores: {gte: 4}}\n')).toEqual([
      'cluster.yaml:4:5: placement.p.stratgy: unknown field "stratgy" (did you mean "strategy"?); expected one of: group, where, near, away, self, exclude, maxAge, strategy, key, loadAttribute, count, spread, pack',
      'cluster.yaml:5:12: placement.p.near.nod: unknown field "nod" (did you mean "node"?); expected one of: node, name, scope, within, rtt',
      'cluster.yaml:6:12: placement.p.away.lvl: unknown field "lvl" (did you mean "level"?); expected one of: node, name, scope, level',
      'cluster.yaml:7:21: placement.p.where.cores.gte: unknown field "gte" (did you mean "gt"?); expected one of: eq, ne, lt, le, gt, ge, in, exists',
    ]);
  });

  it('rejects conditions that are empty, lists, or of the wrong type', () => {
    expect(placementProblems('  p: {where: {a: {}, b: [x], c: {lt: "3"}, d: {in: []}, "9x": 1}}\n')).toEqual([
      'cluster.yaml:3:18: placement.p.where.a: expected a condition: a mapping of one or more of eq, ne, lt, le, gt, ge, in, exists; got a mapping with 0 fields',
      'cluster.yaml:3:25: placement.p.where.b: expected a condition: a value (string, number or boolean) or a mapping of eq, ne, lt, le, gt, ge, in, exists; got a list',
      'cluster.yaml:3:38: placement.p.where.c.lt: expected a number; got "3"',
      'cluster.yaml:3:52: placement.p.where.d.in: must not be empty',
      'cluster.yaml:3:57: placement.p.where["9x"]: invalid key "9x": expected a key: a letter or _ then letters, digits, _ . - (at most 64)',
    ]);
  });

  it('rejects values of the wrong shape: groups, near and away, self, strategy, maxAge', () => {
    expect(placementProblems('  p: {group: [], near: [], away: 3, self: maybe, strategy: fastest, maxAge: soon}\n  q: spread\n')).toEqual([
      'cluster.yaml:3:14: placement.p.group: must not be empty',
      'cluster.yaml:3:24: placement.p.near: must not be empty',
      'cluster.yaml:3:34: placement.p.away: expected an away constraint: a mapping of node or name (and scope), and level; got 3',
      'cluster.yaml:3:43: placement.p.self: expected include or exclude; got "maybe"',
      'cluster.yaml:3:60: placement.p.strategy: expected a strategy: least_loaded, random, round_robin, nearest, key or first; got "fastest"',
      'cluster.yaml:3:77: placement.p.maxAge: expected a duration such as 500ms, 15s, 2m or 1h; got "soon"',
      'cluster.yaml:4:6: placement.q: expected a placement policy (a mapping); got "spread"',
    ]);
  });

  it('places the problems of a JSON file too, and names the path of an in-memory document', () => {
    const json = '{\n  "nodes": ["a"],\n  "placement": {\n    "p": {"strategy": "key", "near": {"within": "rack"}}\n  }\n}';
    expect(problems(json, 'cluster.json')).toEqual([
      'cluster.json:4:23: placement.p.strategy: strategy key needs a key: the value whose consistent hash picks the node',
      'cluster.json:4:49: placement.p.near.within: unknown distance level "rack"; expected node, a location level (region, zone, host) or anywhere (see locationLevels)',
    ]);
    const result = loader.checkDocument({ nodes: ['a'], placement: { p: { spread: 'zone', pack: true, count: 2 } } });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      '<object>: placement.p.pack: spread and pack are exclusive: spread puts the picks in different values of a level, pack puts them all on one node; give one of them',
    ]);
  });
});
