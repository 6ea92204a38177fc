import { describe, expect, it } from 'vitest';
import { CookieUnavailableError, UnknownNodeError, describeCookieSource, findNode, nodeStartOptions, parseClusterConfig, resolveCookie } from './index.js';

const CLUSTER = parseClusterConfig(`
cookie: { env: TEAM_COOKIE }
netTickTime: 10s
nodes:
  - a
  - { name: b, listen: "tcp://0.0.0.0:4371" }
  - { name: tool, hidden: true }
  - { name: late, port: 0 }
  - { name: x@h1 }
  - { name: x@h2 }
`);

describe('start options of one node', () => {
  it('gives the NodeOptions fields, with every other visible node with a known address as a seed', () => {
    expect(nodeStartOptions(CLUSTER, 'a', { env: { TEAM_COOKIE: 'c00kie' } })).toEqual({
      name: 'a@127.0.0.1',
      cookie: 'c00kie',
      listen: 'tcp://127.0.0.1:4370',
      advertise: 'tcp://127.0.0.1:4370',
      hidden: false,
      netTickTime: 10_000,
      seeds: {
        'b@127.0.0.1': 'tcp://127.0.0.1:4371',
        'x@h1': 'tcp://h1:4374',
        'x@h2': 'tcp://h2:4375',
      },
      registry: { mode: 'replicated', replicas: 2, resolver: 'exitLoser', tombstoneTtl: 30_000 },
    });
  });

  it("gives every node, hidden or not, the cluster's registry settings", () => {
    const config = parseClusterConfig('nodes: [a, {name: b, hidden: true}]\nregistry: {mode: partitioned, replicas: 3, resolver: unregisterBoth, tombstoneTtl: 10s}');
    const expected = { mode: 'partitioned', replicas: 3, resolver: 'unregisterBoth', tombstoneTtl: 10_000 };
    expect(nodeStartOptions(config, 'a', { cookie: 'k' }).registry).toEqual(expected);
    expect(nodeStartOptions(config, 'b', { cookie: 'k' }).registry).toEqual(expected);
  });

  it('binds where listen says and advertises host:port', () => {
    const b = nodeStartOptions(CLUSTER, 'b@127.0.0.1', { cookie: 'k' });
    expect([b.listen, b.advertise]).toEqual(['tcp://0.0.0.0:4371', 'tcp://127.0.0.1:4371']);
  });

  it('leaves out advertise for a node whose port comes from the OS', () => {
    const late = nodeStartOptions(CLUSTER, 'late', { cookie: 'k' });
    expect(late.listen).toBe('tcp://127.0.0.1:0');
    expect('advertise' in late).toBe(false);
  });

  it('marks a hidden node hidden and gives it the visible nodes as seeds', () => {
    const tool = nodeStartOptions(CLUSTER, 'tool', { cookie: 'k' });
    expect(tool.hidden).toBe(true);
    expect(Object.keys(tool.seeds)).toEqual(['a@127.0.0.1', 'b@127.0.0.1', 'x@h1', 'x@h2']);
  });

  it('gives the carrier of a node: its own, else the defaults\' one, else none (the runtime default)', () => {
    const config = parseClusterConfig('defaults: {carrier: net}\nnodes: [a, {name: b, carrier: zmq}]');
    expect(nodeStartOptions(config, 'a', { cookie: 'k' }).carrier).toBe('net');
    expect(nodeStartOptions(config, 'b', { cookie: 'k' }).carrier).toBe('zmq');
    expect('carrier' in nodeStartOptions(CLUSTER, 'a', { cookie: 'k' })).toBe(false);
  });

  it('uses a given cookie instead of resolving the configured source', () => {
    expect(nodeStartOptions(CLUSTER, 'a', { cookie: 'given', env: {} }).cookie).toBe('given');
  });

  it('fails when the configured cookie cannot be resolved', () => {
    expect(() => nodeStartOptions(CLUSTER, 'a', { env: {} })).toThrow(/environment variable TEAM_COOKIE is not set/);
  });
});

describe('finding a node', () => {
  it('finds by full name or by an unambiguous short name', () => {
    expect(findNode(CLUSTER, 'tool').name).toBe('tool@127.0.0.1');
    expect(findNode(CLUSTER, 'x@h2').name).toBe('x@h2');
  });

  it('rejects an unknown node and an ambiguous short name with a typed error', () => {
    expect(() => findNode(CLUSTER, 'zed')).toThrow(UnknownNodeError);
    expect(() => findNode(CLUSTER, 'zed')).toThrow(/node "zed" is not in the cluster configuration \(nodes: a@127\.0\.0\.1, /);
    expect(() => findNode(CLUSTER, 'a@elsewhere')).toThrow(UnknownNodeError);
    expect(() => findNode(CLUSTER, 'x')).toThrow(/node "x" is ambiguous: give the full name@host/);
  });
});

describe('resolving the cookie', () => {
  it('returns a literal cookie as it is', () => {
    expect(resolveCookie({ kind: 'literal', value: 'abc' })).toBe('abc');
  });

  it('reads the named environment variable', () => {
    expect(resolveCookie({ kind: 'env', name: 'C' }, { env: { C: 'from-env' } })).toBe('from-env');
  });

  it('fails with a typed error when the variable is unset or empty, naming the variable only', () => {
    const unset = (() => {
      try {
        return resolveCookie({ kind: 'env', name: 'NOPE' }, { env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(unset).toBeInstanceOf(CookieUnavailableError);
    expect((unset as CookieUnavailableError).code).toBe('config_cookie_unavailable');
    expect((unset as Error).message).toBe('the cookie is not available: environment variable NOPE is not set');
    expect(() => resolveCookie({ kind: 'env', name: 'E' }, { env: { E: '' } })).toThrow(/environment variable E is empty/);
  });

  it('reads a cookie file without its surrounding whitespace', () => {
    const read = (path: string) => (path === '/s/cookie' ? '  s3cret\n' : '');
    expect(resolveCookie({ kind: 'file', path: '/s/cookie' }, { readFile: read })).toBe('s3cret');
  });

  it('fails with a typed error when the file is unreadable or blank', () => {
    const missing = () => {
      throw new Error('ENOENT: no such file');
    };
    expect(() => resolveCookie({ kind: 'file', path: '/x' }, { readFile: missing })).toThrow(CookieUnavailableError);
    expect(() => resolveCookie({ kind: 'file', path: '/x' }, { readFile: missing })).toThrow(/file \/x cannot be read: ENOENT/);
    expect(() => resolveCookie({ kind: 'file', path: '/x' }, { readFile: () => '\n \n' })).toThrow(/file \/x is empty/);
  });

  it('describes every source without revealing a literal cookie', () => {
    expect(describeCookieSource({ kind: 'literal', value: 'hush' })).not.toContain('hush');
    expect(describeCookieSource({ kind: 'env', name: 'V' })).toBe('environment variable V');
    expect(describeCookieSource({ kind: 'file', path: '/p' })).toBe('file /p');
  });
});
