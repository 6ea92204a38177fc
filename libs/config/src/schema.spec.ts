import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { ClusterConfigLoader, clusterSchema, clusterSchemaPath, formatProblem } from './index.js';

const read = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');

type SchemaObject = {
  properties?: Record<string, SchemaObject>;
  $ref?: string;
  description?: string;
  definitions?: Record<string, SchemaObject>;
  then?: SchemaObject;
  else?: SchemaObject;
};

describe('the JSON Schema', () => {
  const schema = clusterSchema() as SchemaObject;
  const definition = (name: string) => schema.definitions?.[name] as SchemaObject;
  const deref = (s: SchemaObject): SchemaObject => (s.$ref ? definition(s.$ref.replace('#/definitions/', '')) : s);
  /** Every mapping of the format whose fields an editor offers. */
  const sections: Record<string, SchemaObject> = {
    top: schema,
    defaults: schema.properties?.['defaults'] as SchemaObject,
    node: definition('node'),
    application: definition('application'),
    cookie: definition('cookie').else as SchemaObject,
    registry: definition('registrySettings'),
    placementPolicy: definition('placementPolicy'),
    placementNear: definition('placementNear'),
    placementAway: definition('placementAway'),
    attributeCondition: definition('attributeCondition').then as SchemaObject,
  };

  it('is exported by the package as @sdnode/config/schema.json', () => {
    const pkg = JSON.parse(read('../package.json')) as { exports: Record<string, unknown>; files: string[] };
    expect(fileURLToPath(new URL(`../${String(pkg.exports['./schema.json'])}`, import.meta.url))).toBe(clusterSchemaPath);
    expect(pkg.files).toContain('schema');
  });

  it('is a valid draft-07 schema', () => {
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect((schema as { $schema?: string }).$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('describes every field, for editor hovers', () => {
    const undescribed = Object.entries(sections).flatMap(([section, s]) =>
      Object.entries(s.properties ?? {})
        .filter(([, field]) => !field.description && !deref(field).description)
        .map(([field]) => `${section}.${field}`),
    );
    expect(undescribed).toEqual([]);
  });

  it('marks the sections later layers fill as reserved, and describes distributed applications and placement policies', () => {
    expect(schema.properties?.['applications']?.description).toMatch(/^Distributed applications/);
    expect(schema.properties?.['placement']?.description).toMatch(/^Placement policies/);
    expect(schema.properties?.['sgroups']?.description).toMatch(/^Reserved/);
  });
});

describe('docs/config.md', () => {
  const docs = read('../../../docs/config.md');
  const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);
  const loader = new ClusterConfigLoader();

  it('names every field of the schema', () => {
    const schema = clusterSchema() as SchemaObject;
    const defs = schema.definitions as Record<string, SchemaObject>;
    const fields = new Set([
      ...Object.keys(schema.properties ?? {}),
      ...Object.keys((schema.properties?.['defaults'] as SchemaObject).properties ?? {}),
      ...Object.keys(defs['node']?.properties ?? {}),
      ...Object.keys(defs['application']?.properties ?? {}),
      ...Object.keys(defs['registrySettings']?.properties ?? {}),
      ...['placementPolicy', 'placementNear', 'placementAway'].flatMap((d) => Object.keys(defs[d]?.properties ?? {})),
      ...Object.keys(defs['attributeCondition']?.then?.properties ?? {}),
    ]);
    expect([...fields].filter((f) => !docs.includes(`\`${f}\``))).toEqual([]);
  });

  it('shows valid examples (the smallest file and the realistic one), as does the README', () => {
    const [smallest, realistic] = blocks(docs, 'yaml');
    expect(loader.check(smallest ?? '').ok).toBe(true);
    expect(loader.check(realistic ?? '').ok).toBe(true);
    const [readmeExample] = blocks(read('../README.md'), 'yaml');
    expect(loader.check(readmeExample ?? '').ok).toBe(true);
  });

  it('shows a valid registry section, with the settings its comments describe', () => {
    const section = blocks(docs, 'yaml').find((b) => b.startsWith('registry:')) ?? '';
    const result = loader.check(`nodes: [a]\n${section}`);
    expect(result.ok && result.config.registry).toEqual({ mode: 'partitioned', replicas: 1, resolver: 'unregisterBoth', tombstoneTtl: 120_000 });
  });

  it('shows a valid placement section: the 2-zone policy its text describes', () => {
    const example = blocks(docs, 'yaml').find((b) => b.includes('\nplacement:\n  web-replicas:')) ?? '';
    const result = loader.check(example);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    const policy = result.ok ? result.config.placement['web-replicas'] : undefined;
    expect(policy).toMatchObject({ spread: 'zone', count: 2, strategy: 'least_loaded', maxAge: 2000 });
    expect(policy?.near).toEqual({ name: 'session-store', scope: 'front', within: 'region' });
  });

  it('shows exactly the problems the loader reports for its error example', () => {
    const broken = blocks(docs, 'yaml').at(-1) ?? '';
    const shown = blocks(docs, 'text')[0] ?? '';
    const result = loader.check(broken, { file: 'cluster.yaml' });
    expect(result.ok ? '' : result.problems.map(formatProblem).join('\n')).toBe(shown.trimEnd());
  });
});
