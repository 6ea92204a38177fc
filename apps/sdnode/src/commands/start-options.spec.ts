import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigInvalidError, UnknownNodeError } from '@sdnode/config';
import { InvalidArgumentError } from '@sdnode/wire';
import { resolveStartOptions, type StartOptionFlags } from './start-options.js';

const NO_FLAGS: StartOptionFlags = { seed: {}, hidden: false };

describe('the options sdnode start gives the node', () => {
  let dir: string;
  let cluster: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sdnode-start-options-'));
    cluster = join(dir, 'cluster.yaml');
    writeFileSync(
      cluster,
      [
        'cookie: {env: TEAM_COOKIE}',
        'netTickTime: 20s',
        'nodes:',
        '  - {name: a, attributes: {role: db}, location: {zone: z1}}',
        '  - {name: b, listen: "tcp://0.0.0.0:4371"}',
        '  - {name: tool, hidden: true}',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('come from the flags alone without --config, as before', async () => {
    const options = await resolveStartOptions({ ...NO_FLAGS, name: 'n1', cookie: 'c', tick: 4000 }, {});
    expect(options).toEqual({ name: 'n1@127.0.0.1', cookie: 'c', listen: 'tcp://127.0.0.1:0', hidden: false, netTickTime: 4000, seeds: {} });
  });

  it('come from the cluster file for --config FILE --node NAME', async () => {
    const options = await resolveStartOptions({ ...NO_FLAGS, config: cluster, node: 'a' }, { TEAM_COOKIE: 'from-env' });
    expect(options).toEqual({
      name: 'a@127.0.0.1',
      cookie: 'from-env',
      listen: 'tcp://127.0.0.1:4370',
      advertise: 'tcp://127.0.0.1:4370',
      hidden: false,
      netTickTime: 20_000,
      seeds: { 'b@127.0.0.1': 'tcp://127.0.0.1:4371' },
      attributes: { role: 'db' },
      location: { zone: 'z1' },
      locationLevels: ['region', 'zone', 'host'],
      placement: {},
      applications: [],
      registry: { mode: 'replicated', replicas: 2, resolver: 'exitLoser', tombstoneTtl: 30_000 },
      sgroups: {},
      addresses: { 'a@127.0.0.1': 'tcp://127.0.0.1:4370', 'b@127.0.0.1': 'tcp://127.0.0.1:4371', 'tool@127.0.0.1': 'tcp://127.0.0.1:4372' },
    });
  });

  it('carry the file\'s s_groups and the addresses of its nodes, for the s_groups of the node', async () => {
    const file = join(dir, 'groups.yaml');
    writeFileSync(file, ['cookie: c', 'defaults: {basePort: 5000}', 'nodes: [a, b, {name: c, port: 0}]', 'sgroups: {g1: [a, b], g2: [b, c]}'].join('\n'));
    const options = await resolveStartOptions({ ...NO_FLAGS, config: file, node: 'c' }, {});
    expect(options.sgroups).toEqual({ g1: ['a@127.0.0.1', 'b@127.0.0.1'], g2: ['b@127.0.0.1', 'c@127.0.0.1'] });
    // c's port comes from the OS: nobody knows its address in advance.
    expect(options.addresses).toEqual({ 'a@127.0.0.1': 'tcp://127.0.0.1:5000', 'b@127.0.0.1': 'tcp://127.0.0.1:5001' });
  });

  it('carry the file\'s location levels and placement policies, and --attribute / --location over the node\'s own', async () => {
    const file = join(dir, 'placement.yaml');
    writeFileSync(
      file,
      [
        'cookie: c',
        'locationLevels: [zone, rack]',
        'nodes: [{name: a, attributes: {role: db, size: 2}, location: {zone: z1, rack: r1}}]',
        'placement: {db: {where: {role: db}, maxAge: 2s, near: {within: rack}, strategy: nearest}}',
      ].join('\n'),
    );
    const options = await resolveStartOptions({ ...NO_FLAGS, config: file, node: 'a', attribute: { size: 3, gpu: true }, location: { rack: 'r9' } }, {});
    expect(options).toMatchObject({
      attributes: { role: 'db', size: 3, gpu: true },
      location: { zone: 'z1', rack: 'r9' },
      locationLevels: ['zone', 'rack'],
      placement: { db: { where: { role: 'db' }, maxAge: 2000, near: { within: 'rack' }, strategy: 'nearest' } },
    });
    await expect(resolveStartOptions({ ...NO_FLAGS, config: file, node: 'a', location: { region: 'eu' } }, {})).rejects.toThrow(/invalid --location: "region" is not a location level \(the levels are zone, rack\)/);
    // Without a file: the flags alone, the default levels.
    const bare = await resolveStartOptions({ ...NO_FLAGS, name: 'n', cookie: 'c', attribute: { tier: 'web' }, location: { zone: 'z2' } }, {});
    expect([bare.attributes, bare.location, bare.locationLevels]).toEqual([{ tier: 'web' }, { zone: 'z2' }, undefined]);
    await expect(resolveStartOptions({ ...NO_FLAGS, name: 'n', cookie: 'c', location: { rack: 'r1' } }, {})).rejects.toThrow(/"rack" is not a location level \(the levels are region, zone, host\)/);
  });

  it('let explicit flags override the file: cookie, listen (dropping the file\'s advertise), tick, hidden, seeds', async () => {
    const options = await resolveStartOptions(
      {
        config: cluster,
        node: 'b',
        cookie: 'flag-cookie',
        listen: 'tcp://127.0.0.1:0',
        tick: 1000,
        hidden: true,
        seed: { 'b@127.0.0.1': 'tcp://127.0.0.1:9999', 'x@h': 'tcp://h:1' },
      },
      {},
    );
    expect(options).toMatchObject({
      name: 'b@127.0.0.1',
      cookie: 'flag-cookie',
      listen: 'tcp://127.0.0.1:0',
      hidden: true,
      netTickTime: 1000,
      seeds: { 'a@127.0.0.1': 'tcp://127.0.0.1:4370', 'b@127.0.0.1': 'tcp://127.0.0.1:9999', 'x@h': 'tcp://h:1' },
    });
    expect('advertise' in options).toBe(false);
  });

  it('take the carrier from the node in the file, or from --carrier over it', async () => {
    const file = join(dir, 'carriers.yaml');
    writeFileSync(file, ['cookie: c', 'defaults: {carrier: zmq}', 'nodes: [a, {name: b, carrier: net}]'].join('\n'));
    expect((await resolveStartOptions({ ...NO_FLAGS, config: file, node: 'a' }, {})).carrier).toBe('zmq');
    expect((await resolveStartOptions({ ...NO_FLAGS, config: file, node: 'b' }, {})).carrier).toBe('net');
    expect((await resolveStartOptions({ ...NO_FLAGS, config: file, node: 'a', carrier: 'net' }, {})).carrier).toBe('net');
    expect((await resolveStartOptions({ ...NO_FLAGS, name: 'n1', cookie: 'c', carrier: 'zmq' }, {})).carrier).toBe('zmq');
    expect(await resolveStartOptions({ ...NO_FLAGS, config: cluster, node: 'a' }, { TEAM_COOKIE: 'x' })).not.toHaveProperty('carrier');
  });

  it('take the liveness bound from the file (maxUnresponsive), or from --max-unresponsive over it', async () => {
    const file = join(dir, 'liveness.yaml');
    writeFileSync(file, ['cookie: c', 'maxUnresponsive: 30s', 'nodes: [a]'].join('\n'));
    expect((await resolveStartOptions({ ...NO_FLAGS, config: file, node: 'a' }, {})).maxUnresponsive).toBe(30_000);
    expect((await resolveStartOptions({ ...NO_FLAGS, config: file, node: 'a', maxUnresponsive: 5_000 }, {})).maxUnresponsive).toBe(5_000);
    expect(await resolveStartOptions({ ...NO_FLAGS, config: cluster, node: 'a' }, { TEAM_COOKIE: 'x' })).not.toHaveProperty('maxUnresponsive');
  });

  it('keep the file\'s listen when only --advertise is given', async () => {
    const options = await resolveStartOptions({ ...NO_FLAGS, config: cluster, node: 'b', advertise: 'tcp://gw:1', cookie: 'c' }, {});
    expect([options.listen, options.advertise]).toEqual(['tcp://0.0.0.0:4371', 'tcp://gw:1']);
  });

  it('reject --config without --node, --name with --config, --node without --config, and neither', async () => {
    await expect(resolveStartOptions({ ...NO_FLAGS, config: cluster })).rejects.toThrow(/invalid --node: required with --config/);
    await expect(resolveStartOptions({ ...NO_FLAGS, config: cluster, node: 'a', name: 'a' })).rejects.toThrow(/invalid --name: not with --config/);
    await expect(resolveStartOptions({ ...NO_FLAGS, node: 'a' })).rejects.toThrow(InvalidArgumentError);
    await expect(resolveStartOptions({ ...NO_FLAGS })).rejects.toThrow(/invalid --name: required/);
  });

  it('fail on a node the file does not have, an invalid file, or a cookie that is not available', async () => {
    await expect(resolveStartOptions({ ...NO_FLAGS, config: cluster, node: 'zed' }, { TEAM_COOKIE: 'x' })).rejects.toThrow(UnknownNodeError);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'nodes: [a, a]');
    await expect(resolveStartOptions({ ...NO_FLAGS, config: bad, node: 'a' }, {})).rejects.toThrow(ConfigInvalidError);
    await expect(resolveStartOptions({ ...NO_FLAGS, config: cluster, node: 'a' }, {})).rejects.toThrow(/environment variable TEAM_COOKIE is not set/);
  });
});
