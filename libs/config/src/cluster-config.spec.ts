import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { ClusterConfigLoader, formatProblem, stringifyClusterConfig, toClusterDocument } from './index.js';
import { clusterDocument } from './cluster-arbitrary.test-util.js';

const loader = new ClusterConfigLoader();
const BASE = { baseDir: '/cluster' };

describe('the normalised form', () => {
  it('writes a config back as a document with every value explicit', () => {
    const config = loader.parse('cookie: {file: c}\nnodes: [a, {name: b, port: 0}]\napplications: [{name: x, nodes: [a, [b]]}]', BASE);
    expect(toClusterDocument(config)).toEqual({
      version: 1,
      cookie: { file: '/cluster/c' },
      netTickTime: 60_000,
      locationLevels: ['region', 'zone', 'host'],
      nodes: [
        { name: 'a@127.0.0.1', host: '127.0.0.1', port: 4370, listen: 'tcp://127.0.0.1:4370', advertise: 'tcp://127.0.0.1:4370', hidden: false, attributes: {}, location: {} },
        { name: 'b@127.0.0.1', host: '127.0.0.1', port: 0, listen: 'tcp://127.0.0.1:0', hidden: false, attributes: {}, location: {} },
      ],
      sgroups: {},
      placement: {},
      applications: [{ name: 'x', failoverTimeout: 0, nodes: ['a@127.0.0.1', 'b@127.0.0.1'] }],
      registry: { mode: 'replicated', replicas: 2, resolver: 'exitLoser', tombstoneTtl: 30_000 },
    });
  });

  it('accepts every generated valid document', () => {
    fc.assert(
      fc.property(clusterDocument, (doc) => {
        const result = loader.check(stringify(doc), { file: 'gen.yaml', ...BASE });
        expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
      }),
    );
  });

  it('normalising a normalised config is the identity', () => {
    fc.assert(
      fc.property(clusterDocument, (doc) => {
        const config = loader.normalise(doc, BASE);
        expect(loader.normalise(toClusterDocument(config), BASE)).toEqual(config);
      }),
    );
  });

  it('round-trips any valid config through YAML and through JSON text', () => {
    fc.assert(
      fc.property(clusterDocument, (doc) => {
        const config = loader.normalise(doc, BASE);
        expect(loader.parse(stringifyClusterConfig(config), { file: 'c.yaml', ...BASE })).toEqual(config);
        expect(loader.parse(stringifyClusterConfig(config, { format: 'json' }), { file: 'c.json', ...BASE })).toEqual(config);
      }),
    );
  });

  it('parses a document written as YAML or as JSON to the same config', () => {
    fc.assert(
      fc.property(clusterDocument, (doc) => {
        expect(loader.parse(JSON.stringify(doc), { file: 'c.json', ...BASE })).toEqual(loader.parse(stringify(doc), { file: 'c.yaml', ...BASE }));
      }),
    );
  });

  it('places a bad port on any node of any valid file at the line and column of that port', () => {
    fc.assert(
      fc.property(
        clusterDocument.chain((doc) => fc.tuple(fc.constant(doc), fc.nat({ max: (doc['nodes'] as unknown[]).length - 1 }))),
        ([doc, k]) => {
          const nodes = [...(doc['nodes'] as unknown[])];
          const entry = nodes[k];
          const name = typeof entry === 'string' ? entry : (entry as { name: string }).name;
          nodes[k] = { name, port: 70000 };
          const text = stringify({ ...doc, nodes });
          const result = loader.check(text, { file: 'gen.yaml', ...BASE });
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.problems.map((p) => p.path)).toEqual([`nodes[${k}].port`]);
          const [problem] = result.problems;
          const line = text.split('\n')[(problem?.line ?? 0) - 1] ?? '';
          expect(line.slice((problem?.column ?? 0) - 1)).toMatch(/^70000\b/);
        },
      ),
    );
  });
});
