import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  CONFIG_DEFAULTS,
  ClusterConfigLoader,
  MAX_REGISTRY_REPLICAS,
  REGISTRY_MODES,
  REGISTRY_RESOLVERS,
  clusterSchema,
  formatProblem,
  stringifyClusterConfig,
  toClusterDocument,
  type RegistryConfig,
} from './index.js';
import { normaliseRegistrySettings } from './registry-settings.js';
import type { PathProblem } from './source-document.js';
import { clusterDocument, registrySettings } from './cluster-arbitrary.test-util.js';

const loader = new ClusterConfigLoader();
const BASE = { baseDir: '/cluster' };

/** The registry settings of a file with one node and `section` as its registry section. */
function registryOf(section: string): RegistryConfig {
  return loader.parse(`nodes: [a]\nregistry: ${section}\n`, { file: 'cluster.yaml' }).registry;
}

/** Every problem of `text`, formatted `file:line:col: path: message`. */
function problems(text: string): string[] {
  const result = loader.check(text, { file: 'cluster.yaml' });
  if (result.ok) throw new Error('expected the configuration to be invalid');
  return result.problems.map(formatProblem);
}

describe('the registry section', () => {
  it('defaults to a replicated global scope that lets the loser exit and remembers deletions for 30 s', () => {
    const expected = { mode: 'replicated', replicas: 2, resolver: 'exitLoser', tombstoneTtl: 30_000 };
    expect(CONFIG_DEFAULTS.registry).toEqual(expected);
    expect(loader.parse('nodes: [a]').registry).toEqual(expected);
    expect(registryOf('{}')).toEqual(expected);
  });

  it('reads the mode, and keeps the other defaults', () => {
    expect(registryOf('{mode: partitioned}')).toEqual({ ...CONFIG_DEFAULTS.registry, mode: 'partitioned' });
    expect(registryOf('{mode: replicated}').mode).toBe('replicated');
  });

  it('reads any number of replicas from 0 to 16', () => {
    for (const replicas of [0, 1, 7, MAX_REGISTRY_REPLICAS]) {
      expect(registryOf(`{mode: partitioned, replicas: ${replicas}}`).replicas).toBe(replicas);
    }
  });

  it('accepts and keeps replicas in replicated mode, where the registry ignores them', () => {
    expect(registryOf('{mode: replicated, replicas: 5}')).toEqual({ ...CONFIG_DEFAULTS.registry, replicas: 5 });
  });

  it('reads each conflict resolver', () => {
    for (const resolver of REGISTRY_RESOLVERS) expect(registryOf(`{resolver: ${resolver}}`).resolver).toBe(resolver);
  });

  it('reads the tombstone TTL as any duration, in milliseconds', () => {
    expect(registryOf('{tombstoneTtl: 45s}').tombstoneTtl).toBe(45_000);
    expect(registryOf('{tombstoneTtl: 1.5m}').tombstoneTtl).toBe(90_000);
    expect(registryOf('{tombstoneTtl: 250ms}').tombstoneTtl).toBe(250);
    expect(registryOf('{tombstoneTtl: 1200}').tombstoneTtl).toBe(1200);
  });

  it('reads the same settings from JSON', () => {
    const json = JSON.stringify({ nodes: ['a'], registry: { mode: 'partitioned', replicas: 3, resolver: 'unregisterBoth', tombstoneTtl: '2m' } });
    expect(loader.parse(json, { file: 'cluster.json' }).registry).toEqual({ mode: 'partitioned', replicas: 3, resolver: 'unregisterBoth', tombstoneTtl: 120_000 });
  });
});

describe('bad registry settings', () => {
  it('names the allowed modes for an unknown one', () => {
    expect(problems('nodes: [a]\nregistry:\n  mode: sharded\n')).toEqual([
      'cluster.yaml:3:9: registry.mode: expected a registry mode: replicated or partitioned; got "sharded"',
    ]);
  });

  it('rejects replicas that are not an integer from 0 to 16', () => {
    expect(problems('nodes: [a]\nregistry: {mode: partitioned, replicas: 17}')).toEqual([
      'cluster.yaml:2:41: registry.replicas: expected a number of replicas: an integer 0-16; got 17',
    ]);
    expect(problems('nodes: [a]\nregistry:\n  replicas: -1\n')).toEqual(['cluster.yaml:3:13: registry.replicas: expected a number of replicas: an integer 0-16; got -1']);
    expect(problems('nodes: [a]\nregistry:\n  replicas: 1.5\n')).toEqual(['cluster.yaml:3:13: registry.replicas: expected a number of replicas: an integer 0-16; got 1.5']);
    expect(problems('nodes: [a]\nregistry:\n  replicas: "2"\n')).toEqual(['cluster.yaml:3:13: registry.replicas: expected a number of replicas: an integer 0-16; got "2"']);
  });

  it('names the allowed resolvers for an unknown one', () => {
    expect(problems('nodes: [a]\nregistry:\n  resolver: firstWins\n')).toEqual([
      'cluster.yaml:3:13: registry.resolver: expected a conflict resolver: exitLoser, notifyBoth or unregisterBoth; got "firstWins"',
    ]);
  });

  it('rejects a tombstone TTL that is not a duration, or is zero', () => {
    expect(problems('nodes: [a]\nregistry:\n  tombstoneTtl: soon\n  mode: partitioned\n')).toEqual([
      'cluster.yaml:3:17: registry.tombstoneTtl: expected a duration such as 500ms, 15s, 2m or 1h; got "soon"',
    ]);
    expect(problems('nodes: [a]\nregistry:\n  tombstoneTtl: -5\n')).toEqual([
      'cluster.yaml:3:17: registry.tombstoneTtl: expected a duration of zero or more milliseconds; got -5',
    ]);
    expect(problems('nodes: [a]\nregistry:\n  tombstoneTtl: 0s\n')).toEqual([
      'cluster.yaml:3:17: registry.tombstoneTtl: the tombstone TTL must be greater than zero (a deleted name is remembered until every holder has heard of the deletion)',
    ]);
  });

  it('rejects an unknown field at its key, suggesting the field meant', () => {
    expect(problems('nodes: [a]\nregistry:\n  mode: partitioned\n  replica: 3\n')).toEqual([
      'cluster.yaml:4:3: registry.replica: unknown field "replica" (did you mean "replicas"?); expected one of: mode, replicas, resolver, tombstoneTtl',
    ]);
  });

  it('rejects a registry section that is not a mapping', () => {
    expect(problems('nodes: [a]\nregistry: partitioned\n')).toEqual([
      'cluster.yaml:2:11: registry: expected a mapping of registry settings (mode, replicas, resolver, tombstoneTtl); got "partitioned"',
    ]);
  });

  it('reports every bad field at once, together with the rest of the file', () => {
    expect(problems('nodes: [a, a]\nregistry: {mode: sharded, replicas: 99, resolver: 1, tombstoneTtl: 0}\n')).toEqual([
      'cluster.yaml:1:12: nodes[1]: duplicate node a@127.0.0.1 (also at nodes[0])',
      'cluster.yaml:2:18: registry.mode: expected a registry mode: replicated or partitioned; got "sharded"',
      'cluster.yaml:2:37: registry.replicas: expected a number of replicas: an integer 0-16; got 99',
      'cluster.yaml:2:51: registry.resolver: expected a conflict resolver: exitLoser, notifyBoth or unregisterBoth; got 1',
      'cluster.yaml:2:68: registry.tombstoneTtl: the tombstone TTL must be greater than zero (a deleted name is remembered until every holder has heard of the deletion)',
    ]);
  });
});

describe('one registry-settings mapping, read on its own (as the s_groups layer will)', () => {
  const GROUP: RegistryConfig = { mode: 'partitioned', replicas: 4, resolver: 'notifyBoth', tombstoneTtl: 5000 };

  it('takes every field it does not give from the base settings', () => {
    const found: PathProblem[] = [];
    expect(normaliseRegistrySettings({ replicas: 1 }, ['sgroups', 'g', 'registry'], found, GROUP)).toEqual({ ...GROUP, replicas: 1 });
    expect(normaliseRegistrySettings(undefined, ['x'], found, GROUP)).toEqual(GROUP);
    expect(found).toEqual([]);
  });

  it('falls back to the defaults without a base, and reads values of the wrong shape as absent', () => {
    const found: PathProblem[] = [];
    expect(normaliseRegistrySettings({ mode: 'sharded', replicas: 17, resolver: 3, tombstoneTtl: 'soon' }, ['registry'], found)).toEqual(CONFIG_DEFAULTS.registry);
    expect(found).toEqual([]);
  });

  it('places its own problems under the path it is given', () => {
    const found: PathProblem[] = [];
    normaliseRegistrySettings({ tombstoneTtl: 0 }, ['sgroups', 'g', 'registry'], found, GROUP);
    expect(found.map((p) => p.path)).toEqual([['sgroups', 'g', 'registry', 'tombstoneTtl']]);
  });
});

describe('the registry settings in the schema and the normalised form', () => {
  it('lists in the schema exactly the modes, resolvers and replica range the loader reads', () => {
    const definitions = clusterSchema()['definitions'] as Record<string, { properties: Record<string, { enum?: unknown[]; maximum?: number }> }>;
    const fields = definitions['registrySettings']?.properties ?? {};
    expect(fields['mode']?.enum).toEqual([...REGISTRY_MODES]);
    expect(fields['resolver']?.enum).toEqual([...REGISTRY_RESOLVERS]);
    expect(fields['replicas']?.maximum).toBe(MAX_REGISTRY_REPLICAS);
  });

  it('writes every registry setting explicitly, the tombstone TTL in milliseconds', () => {
    const config = loader.parse('nodes: [a]\nregistry: {mode: partitioned, tombstoneTtl: 1m}');
    expect(toClusterDocument(config).registry).toEqual({ mode: 'partitioned', replicas: 2, resolver: 'exitLoser', tombstoneTtl: 60_000 });
    expect(stringifyClusterConfig(config)).toContain('registry:\n  mode: partitioned\n  replicas: 2\n  resolver: exitLoser\n  tombstoneTtl: 60000\n');
  });

  it('round-trips any registry settings through YAML and JSON text', () => {
    fc.assert(
      fc.property(registrySettings, (registry) => {
        const config = loader.normalise({ nodes: ['a'], registry }, BASE);
        expect(loader.parse(stringifyClusterConfig(config), { file: 'c.yaml', ...BASE })).toEqual(config);
        expect(loader.parse(stringifyClusterConfig(config, { format: 'json' }), { file: 'c.json', ...BASE })).toEqual(config);
      }),
    );
  });

  it('gives any generated file the registry settings it names, the rest from the defaults', () => {
    fc.assert(
      fc.property(clusterDocument, (doc) => {
        const given = (doc['registry'] ?? {}) as Record<string, unknown>;
        const { registry } = loader.parse(stringify(doc), { file: 'gen.yaml', ...BASE });
        expect(registry.mode).toBe(given['mode'] ?? CONFIG_DEFAULTS.registry.mode);
        expect(registry.replicas).toBe(given['replicas'] ?? CONFIG_DEFAULTS.registry.replicas);
        expect(registry.resolver).toBe(given['resolver'] ?? CONFIG_DEFAULTS.registry.resolver);
        expect(registry.tombstoneTtl).toBeGreaterThan(0);
      }),
    );
  });
});
