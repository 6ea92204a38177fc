import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONFIG_DEFAULTS,
  ClusterConfigLoader,
  ConfigFileUnreadableError,
  ConfigInvalidError,
  loadClusterConfig,
  normaliseClusterConfig,
  parseClusterConfig,
  toClusterDocument,
} from './index.js';

const REALISTIC_YAML = `# yaml-language-server: $schema=../node_modules/@sdnode/config/schema/sdnode-cluster.schema.json
version: 1
cookie: { env: SHOP_COOKIE }
netTickTime: 15s
locationLevels: [region, zone, rack]
defaults:
  listenHost: 0.0.0.0
  basePort: 9100
  attributes: { tier: standard }
nodes:
  - name: web1
    host: 10.0.1.10
    location: { region: eu, zone: eu-1a, rack: r1 }
  - name: web2@10.0.1.11
    attributes: { tier: premium, cores: 8, ssd: true }
    location: { region: eu, zone: eu-1b, rack: r7 }
  - name: db
    address: tcp://10.0.2.5:5000
    location: { region: eu, zone: 1 }
  - name: shell
    host: 10.0.9.9
    port: 0
    hidden: true
sgroups:
  front: [web1, web2]
  storage: [db, web1@10.0.1.10]
placement:
  near-data: { near: { node: db@10.0.2.5, within: rack }, maxAge: 5s }
applications:
  - name: billing
    failoverTimeout: 2.5s
    nodes: [db, [web1, web2]]
registry:
  mode: partitioned
  replicas: 1
  resolver: notifyBoth
  tombstoneTtl: 2m
`;

describe('loading a cluster configuration', () => {
  it('expands the smallest file to a local three-node cluster on sequential ports from 4370', () => {
    const config = parseClusterConfig('cookie: x\nnodes: [a, b, c]\n');
    expect(config.nodes.map((n) => [n.name, n.listen, n.advertise])).toEqual([
      ['a@127.0.0.1', 'tcp://127.0.0.1:4370', 'tcp://127.0.0.1:4370'],
      ['b@127.0.0.1', 'tcp://127.0.0.1:4371', 'tcp://127.0.0.1:4371'],
      ['c@127.0.0.1', 'tcp://127.0.0.1:4372', 'tcp://127.0.0.1:4372'],
    ]);
    expect(config.cookie).toEqual({ kind: 'literal', value: 'x' });
  });

  it('fills every default when the file gives nothing but nodes', () => {
    const config = parseClusterConfig('nodes: [a]');
    expect(config).toEqual({
      version: 1,
      cookie: { kind: 'env', name: 'SDNODE_COOKIE' },
      netTickTime: CONFIG_DEFAULTS.netTickTime,
      locationLevels: ['region', 'zone', 'host'],
      nodes: [
        {
          name: 'a@127.0.0.1',
          host: '127.0.0.1',
          port: 4370,
          listen: 'tcp://127.0.0.1:4370',
          advertise: 'tcp://127.0.0.1:4370',
          hidden: false,
          attributes: {},
          location: {},
        },
      ],
      sgroups: {},
      placement: {},
      applications: [],
      registry: CONFIG_DEFAULTS.registry,
    });
  });

  it('normalises a realistic YAML file: defaults merged, names completed, references resolved', () => {
    const config = parseClusterConfig(REALISTIC_YAML, { file: '/etc/shop/cluster.yaml' });
    expect(config.cookie).toEqual({ kind: 'env', name: 'SHOP_COOKIE' });
    expect(config.netTickTime).toBe(15_000);
    expect(config.locationLevels).toEqual(['region', 'zone', 'rack']);
    expect(config.nodes).toEqual([
      {
        name: 'web1@10.0.1.10',
        host: '10.0.1.10',
        port: 9100,
        listen: 'tcp://0.0.0.0:9100',
        advertise: 'tcp://10.0.1.10:9100',
        hidden: false,
        attributes: { tier: 'standard' },
        location: { region: 'eu', zone: 'eu-1a', rack: 'r1' },
      },
      {
        name: 'web2@10.0.1.11',
        host: '10.0.1.11',
        port: 9101,
        listen: 'tcp://0.0.0.0:9101',
        advertise: 'tcp://10.0.1.11:9101',
        hidden: false,
        attributes: { tier: 'premium', cores: 8, ssd: true },
        location: { region: 'eu', zone: 'eu-1b', rack: 'r7' },
      },
      {
        name: 'db@10.0.2.5',
        host: '10.0.2.5',
        port: 5000,
        listen: 'tcp://0.0.0.0:5000',
        advertise: 'tcp://10.0.2.5:5000',
        hidden: false,
        attributes: { tier: 'standard' },
        location: { region: 'eu', zone: '1' },
      },
      {
        name: 'shell@10.0.9.9',
        host: '10.0.9.9',
        port: 0,
        listen: 'tcp://0.0.0.0:0',
        advertise: null,
        hidden: true,
        attributes: { tier: 'standard' },
        location: {},
      },
    ]);
    expect(config.sgroups).toEqual({ front: ['web1@10.0.1.10', 'web2@10.0.1.11'], storage: ['db@10.0.2.5', 'web1@10.0.1.10'] });
    expect(config.placement).toEqual({ 'near-data': { near: { node: 'db@10.0.2.5', within: 'rack' }, maxAge: 5000 } });
    expect(config.applications).toEqual([
      { name: 'billing', failoverTimeout: 2500, nodes: [['db@10.0.2.5'], ['web1@10.0.1.10', 'web2@10.0.1.11']] },
    ]);
    expect(config.registry).toEqual({ mode: 'partitioned', replicas: 1, resolver: 'notifyBoth', tombstoneTtl: 120_000 });
  });

  it('reads JSON files as JSON, with the same result as the equivalent YAML', () => {
    const json = JSON.stringify({
      $schema: './node_modules/@sdnode/config/schema.json',
      cookie: 'secret',
      netTickTime: 500,
      nodes: ['a', { name: 'b', port: 5000, hidden: true }],
      applications: [{ name: 'app', nodes: ['a', ['b']] }],
    });
    const yaml = 'cookie: secret\nnetTickTime: 500ms\nnodes: [a, {name: b, port: 5000, hidden: true}]\napplications: [{name: app, nodes: [a, [b]]}]\n';
    const fromJson = parseClusterConfig(json, { file: 'c.json' });
    expect(fromJson).toEqual(parseClusterConfig(yaml, { file: 'c.yaml' }));
    expect(fromJson.nodes[1]?.hidden).toBe(true);
    expect(fromJson.applications[0]?.nodes).toEqual([['a@127.0.0.1'], ['b@127.0.0.1']]);
  });

  it('takes the host from the node name, and brackets IPv6 hosts in endpoints', () => {
    const config = parseClusterConfig('nodes: [a@db1.internal, {name: b, host: "::1", port: 7000}, {name: c, host: "[fe80::2]"}]');
    expect(config.nodes.map((n) => [n.name, n.advertise])).toEqual([
      ['a@db1.internal', 'tcp://db1.internal:4370'],
      ['b@::1', 'tcp://[::1]:7000'],
      ['c@fe80::2', 'tcp://[fe80::2]:4372'],
    ]);
  });

  it('gives every node a port from the OS when basePort is 0, so none has a known address', () => {
    const config = parseClusterConfig('defaults: {basePort: 0}\nnodes: [a, b]');
    expect(config.nodes.map((n) => [n.listen, n.advertise])).toEqual([
      ['tcp://127.0.0.1:0', null],
      ['tcp://127.0.0.1:0', null],
    ]);
  });

  it('keeps an explicit listen and advertise apart from host and port', () => {
    const config = parseClusterConfig(
      'nodes:\n  - {name: a, host: 10.0.0.1, port: 4000, listen: "tcp://*:4000", advertise: "tcp://gw.example:14000"}\n',
    );
    expect(config.nodes[0]).toMatchObject({ host: '10.0.0.1', port: 4000, listen: 'tcp://*:4000', advertise: 'tcp://gw.example:14000' });
  });

  it('resolves a cookie file relative to the configuration file', () => {
    const config = parseClusterConfig('cookie: {file: secrets/cookie}\nnodes: [a]', { file: '/srv/cluster/sdnode.yaml' });
    expect(config.cookie).toEqual({ kind: 'file', path: '/srv/cluster/secrets/cookie' });
  });

  it('gives a node the carrier it names, else the defaults\' one, and none when neither does', () => {
    const config = parseClusterConfig('defaults: {carrier: net}\nnodes: [a, {name: b, carrier: zmq}]');
    expect(config.nodes.map((n) => n.carrier)).toEqual(['net', 'zmq']);
    expect(parseClusterConfig('nodes: [a]').nodes[0]).not.toHaveProperty('carrier');
    expect(toClusterDocument(config).nodes.map((n) => n.carrier)).toEqual(['net', 'zmq']);
  });

  it('accepts a YAML anchor reused across nodes', () => {
    const config = parseClusterConfig('nodes:\n  - {name: a, location: &eu {region: eu}}\n  - {name: b, location: *eu}\n');
    expect(config.nodes.map((n) => n.location)).toEqual([{ region: 'eu' }, { region: 'eu' }]);
  });

  it('normalises an in-memory document the same way as text', () => {
    expect(normaliseClusterConfig({ cookie: 'x', nodes: ['a', 'b'] })).toEqual(parseClusterConfig('cookie: x\nnodes: [a, b]'));
  });

  it('reuses one loader for many files without carrying anything over', () => {
    const loader = new ClusterConfigLoader();
    expect(loader.check('nodes: [a, a]').ok).toBe(false);
    const again = loader.check('nodes: [a, b]');
    expect(again.ok && again.config.nodes.length).toBe(2);
  });
});

describe('loading a configuration file from disk', () => {
  it('reads the file and names it in problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdnode-config-'));
    try {
      const good = join(dir, 'good.yaml');
      writeFileSync(good, 'cookie: {file: cookie.txt}\nnodes: [a]\n');
      const config = await loadClusterConfig(good);
      expect(config.cookie).toEqual({ kind: 'file', path: join(dir, 'cookie.txt') });

      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{"nodes": [1]}');
      const error = await loadClusterConfig(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigInvalidError);
      expect((error as ConfigInvalidError).code).toBe('config_invalid');
      expect((error as ConfigInvalidError).problems.map((p) => [p.file, p.line, p.column])).toEqual([[bad, 1, 12]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file as unreadable', async () => {
    const error = await loadClusterConfig('/nonexistent/sdnode/cluster.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileUnreadableError);
    expect((error as ConfigFileUnreadableError).code).toBe('config_file_unreadable');
    expect((error as Error).message).toMatch(/cannot read \/nonexistent\/sdnode\/cluster\.yaml/);
  });
});
