/**
 * fast-check generators of valid cluster documents in the input form (bare names, defaults,
 * short references, durations as text, partial registry settings), for the property tests. Valid
 * by construction: unique short names, explicit ports (10000+) disjoint from the default ones
 * (basePort + index < 6000), references only to generated nodes, each node at most once per group
 * or application, durations above zero, placement policies whose fields fit together (levels of
 * the default locationLevels, node or name, near with within or rtt, away with a target, key only
 * with strategy key, spread or pack with count > 1).
 */
import fc from 'fast-check';

const shortName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/);
const key = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,9}$/);
const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
);
const attributes = fc.dictionary(key, scalar, { maxKeys: 3 });
const location = fc.record(
  { region: fc.stringMatching(/^[a-z]{2}$/), zone: fc.stringMatching(/^[a-z]{2}-[0-9]$/), host: fc.stringMatching(/^r[0-9]{1,2}$/) },
  { requiredKeys: [] },
);
const duration = fc.oneof(
  fc.integer({ min: 1, max: 10_000_000 }),
  fc.integer({ min: 1, max: 3600 }).map((s) => `${s}s`),
  fc.integer({ min: 1, max: 999 }).map((ms) => `${ms}ms`),
);
/** A `registry` section: any subset of its fields, each in any accepted form. */
export const registrySettings: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    mode: fc.constantFrom('replicated', 'partitioned'),
    replicas: fc.integer({ min: 0, max: 16 }),
    resolver: fc.constantFrom('exitLoser', 'notifyBoth', 'unregisterBoth'),
    tombstoneTtl: duration,
  },
  { requiredKeys: [] },
);
const noNegativeZero = (x: number) => !Object.is(x, -0);
const number = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }).filter(noNegativeZero));
/** Distance levels of the default locationLevels (region, zone, host). */
const level = fc.constantFrom('node', 'region', 'zone', 'host', 'anywhere');
const fullNodeName = fc.tuple(shortName, fc.constantFrom('127.0.0.1', '10.0.0.7', 'db.example', '::1')).map(([n, h]) => `${n}@${h}`);
/** What a near or away entry is relative to: the caller, a node, or a registered name (in a scope). */
const target = fc.oneof(
  fc.constant({}),
  fullNodeName.map((node) => ({ node })),
  fc.record({ name: fc.string({ minLength: 1, maxLength: 12 }), scope: fc.constantFrom('global', 'front', 'storage') }, { requiredKeys: ['name'] }),
);
const condition = fc.oneof(
  scalar,
  fc
    .record(
      { eq: scalar, ne: scalar, lt: number, le: number, gt: number, ge: number, in: fc.array(scalar, { minLength: 1, maxLength: 3 }), exists: fc.boolean() },
      { requiredKeys: [] },
    )
    .filter((c) => Object.keys(c).length > 0),
);
const within = fc.oneof(level, fc.double({ min: 0, max: 1, noNaN: true }).filter(noNegativeZero));
const rtt = fc.double({ min: 0.01, max: 1000, noNaN: true });
/** Within a distance of a target, or (relative to the caller only) within a round-trip time, or both. */
const near = fc.oneof(
  fc.tuple(target, within).map(([t, w]) => ({ ...t, within: w })),
  fc.record({ within, rtt }, { requiredKeys: ['rtt'] }),
);
const away = fc
  .tuple(target, fc.option(level, { nil: undefined }))
  .filter(([t]) => Object.keys(t).length > 0)
  .map(([t, l]) => ({ ...t, ...(l === undefined ? {} : { level: l }) }));
const oneOrList = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.array(a, { minLength: 1, maxLength: 3 }));

/** A placement policy: any subset of its fields, repaired so that the fields fit together. */
export const placementPolicy: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      group: fc.oneof(key, fc.uniqueArray(key, { minLength: 1, maxLength: 3 })),
      where: fc.dictionary(key, condition, { maxKeys: 3 }),
      near: oneOrList(near),
      away: oneOrList(away),
      self: fc.constantFrom('include', 'exclude'),
      exclude: fc.uniqueArray(fullNodeName, { maxLength: 3 }),
      maxAge: duration,
      strategy: fc.constantFrom('least_loaded', 'random', 'round_robin', 'nearest', 'key', 'first'),
      key: fc.string({ minLength: 1, maxLength: 12 }),
      loadAttribute: key,
      count: fc.integer({ min: 1, max: 5 }),
      spread: level,
      pack: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  .map((generated) => {
    const p: Record<string, unknown> = { ...generated };
    if (p['strategy'] === 'key') p['key'] ??= 'user-42';
    else delete p['key'];
    if (p['strategy'] !== undefined && p['strategy'] !== 'least_loaded') delete p['loadAttribute'];
    if (p['spread'] !== undefined) delete p['pack'];
    if (p['spread'] !== undefined || p['pack'] === true) p['count'] = Math.max(2, (p['count'] as number | undefined) ?? 2);
    return p;
  });

const host = fc.oneof(fc.constant('127.0.0.1'), fc.ipV4().filter((h) => h !== '0.0.0.0'), fc.constant('::1'), fc.constant('db.example'));

type Doc = Record<string, unknown>;

/** How a node entry is written; its port (when explicit) is handed in. */
const nodeForm = fc.record({
  form: fc.constantFrom('bare', 'object', 'full-name', 'address', 'host-port', 'os-port'),
  host,
  hidden: fc.option(fc.boolean(), { nil: undefined }),
  carrier: fc.option(fc.constantFrom('zmq', 'net'), { nil: undefined }),
  attributes: fc.option(attributes, { nil: undefined }),
  location: fc.option(location, { nil: undefined }),
  listenAll: fc.boolean(),
});

function nodeEntry(name: string, port: number, f: Record<string, unknown>): unknown {
  const extra: Doc = {};
  if (f['hidden'] !== undefined) extra['hidden'] = f['hidden'];
  if (f['carrier'] !== undefined) extra['carrier'] = f['carrier'];
  if (f['attributes'] !== undefined) extra['attributes'] = f['attributes'];
  if (f['location'] !== undefined) extra['location'] = f['location'];
  const h = f['host'] as string;
  const bracketed = h.includes(':') ? `[${h}]` : h;
  switch (f['form']) {
    case 'bare':
      return name;
    case 'object':
      return { name, ...extra };
    case 'full-name':
      return { name: `${name}@${h}`, ...extra };
    case 'address':
      return { name, address: `tcp://${bracketed}:${port}`, ...extra };
    case 'host-port':
      return { name, host: h, port, ...(f['listenAll'] ? { listen: `tcp://*:${port}` } : {}), ...extra };
    default:
      return { name, host: h, port: 0, ...extra };
  }
}

export const clusterDocument: fc.Arbitrary<Doc> = fc
  .uniqueArray(shortName, { minLength: 1, maxLength: 6 })
  .chain((names) =>
    fc.record({
      names: fc.constant(names),
      forms: fc.array(nodeForm, { minLength: names.length, maxLength: names.length }),
      ports: fc.uniqueArray(fc.integer({ min: 10_000, max: 65_535 }), { minLength: names.length, maxLength: names.length }),
      cookie: fc.option(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 20 }),
          fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/).map((env) => ({ env })),
          fc.stringMatching(/^\/[a-z]{1,8}\/[a-z.]{1,8}$/).map((file) => ({ file })),
        ),
        { nil: undefined },
      ),
      netTickTime: fc.option(duration, { nil: undefined }),
      maxUnresponsive: fc.option(duration, { nil: undefined }),
      defaults: fc.option(
        fc.record(
          { basePort: fc.integer({ min: 1024, max: 5000 }), hidden: fc.boolean(), carrier: fc.constantFrom('zmq', 'net'), attributes, location, listenHost: fc.constantFrom('0.0.0.0', '*', '::') },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
      sgroups: fc.dictionary(key, fc.shuffledSubarray(names, { minLength: 1 }), { maxKeys: 3 }),
      placement: fc.dictionary(key, placementPolicy, { maxKeys: 2 }),
      applications: fc.uniqueArray(
        fc.record({
          name: key,
          failoverTimeout: fc.option(duration, { nil: undefined }),
          nodes: fc.shuffledSubarray(names, { minLength: 1 }).chain((picked) =>
            fc.array(fc.boolean(), { minLength: picked.length, maxLength: picked.length }).map((breaks) => levels(picked, breaks)),
          ),
        }),
        { selector: (a) => a.name, maxLength: 3 },
      ),
      registry: fc.option(registrySettings, { nil: undefined }),
    }),
  )
  .map((g) => {
    const doc: Doc = {
      nodes: g.names.map((name, i) => nodeEntry(name, g.ports[i] as number, g.forms[i] as Record<string, unknown>)),
    };
    if (g.cookie !== undefined) doc['cookie'] = g.cookie;
    if (g.netTickTime !== undefined) doc['netTickTime'] = g.netTickTime;
    if (g.maxUnresponsive !== undefined) doc['maxUnresponsive'] = g.maxUnresponsive;
    if (g.defaults !== undefined) doc['defaults'] = g.defaults;
    if (Object.keys(g.sgroups).length > 0) doc['sgroups'] = g.sgroups;
    if (Object.keys(g.placement).length > 0) doc['placement'] = g.placement;
    if (g.applications.length > 0) {
      doc['applications'] = g.applications.map((a) => ({ name: a.name, nodes: a.nodes, ...(a.failoverTimeout === undefined ? {} : { failoverTimeout: a.failoverTimeout }) }));
    }
    if (g.registry !== undefined) doc['registry'] = g.registry;
    return doc;
  });

/** Split picked nodes into priority levels: a level of one is written bare, as in `[n1, [n2, n3]]`. */
function levels(picked: readonly string[], breaks: readonly boolean[]): (string | string[])[] {
  const out: string[][] = [];
  picked.forEach((n, i) => {
    if (i === 0 || breaks[i]) out.push([n]);
    else (out[out.length - 1] as string[]).push(n);
  });
  return out.map((level) => (level.length === 1 ? (level[0] as string) : level));
}
