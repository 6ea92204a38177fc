import { describe, expect, it } from 'vitest';
import { ClusterConfigLoader, ConfigInvalidError, formatProblem, parseClusterConfig } from './index.js';

const loader = new ClusterConfigLoader();

/** Every problem of `text`, formatted `file:line:col: path: message`. */
function problems(text: string, file = 'cluster.yaml'): string[] {
  const result = loader.check(text, { file });
  if (result.ok) throw new Error('expected the configuration to be invalid');
  return result.problems.map(formatProblem);
}

describe('syntax errors', () => {
  it('names the line and column of a YAML syntax error', () => {
    expect(problems('nodes: [a, b\ncookie: x\n')).toEqual([
      expect.stringMatching(/^cluster\.yaml:2:\d+: syntax error: /),
    ]);
  });

  it('rejects a key given twice in one mapping, at the second key', () => {
    expect(problems('cookie: a\nnodes: [a]\ncookie: b\n')).toEqual([
      'cluster.yaml:3:1: duplicate key: a mapping may name each key once',
    ]);
  });

  it('rejects several YAML documents in one file', () => {
    expect(problems('nodes: [a]\n---\nnodes: [b]\n')).toEqual([expect.stringMatching(/^cluster\.yaml:2:1: syntax error: .*multiple documents/)]);
  });

  it('holds a .json file to JSON: a trailing comma is placed at its column', () => {
    expect(problems('{\n  "nodes": ["a",],\n  "cookie": "s3cr3t"\n}', 'cluster.json')).toEqual([
      "cluster.json:2:17: not valid JSON: Unexpected token ']'",
    ]);
  });

  it('never quotes the file text (which may hold the cookie) in a JSON error', () => {
    const [message] = problems('{"cookie": "s3cr3t-cookie" "nodes": ["a"]}', 'cluster.json');
    expect(message).toMatch(/^cluster\.json:1:\d+: not valid JSON/);
    expect(message).not.toContain('s3cr3t');
  });

  it('rejects duplicate keys in JSON too', () => {
    expect(problems('{"nodes": ["a"],\n "nodes": ["b"]}', 'cluster.json')).toEqual([
      'cluster.json:2:2: duplicate key: a mapping may name each key once',
    ]);
  });
});

describe('shape errors (the JSON Schema)', () => {
  it('asks for the nodes of an empty file', () => {
    expect(problems('')).toEqual(['cluster.yaml:1:1: expected a cluster configuration: a mapping with at least nodes; got nothing']);
  });

  it('reports a missing nodes section at the top of the document', () => {
    expect(problems('cookie: x\n')).toEqual(['cluster.yaml:1:1: missing required field "nodes"']);
  });

  it('points at an unknown key and suggests the field meant', () => {
    expect(problems('cookie: x\nnodes: [a]\nnetTicktime: 5s\n')).toEqual([
      'cluster.yaml:3:1: netTicktime: unknown field "netTicktime" (did you mean "netTickTime"?); expected one of: version, cookie, netTickTime, maxUnresponsive, curve, locationLevels, defaults, nodes, sgroups, placement, applications, registry',
    ]);
  });

  it('says what a value should have been and what it was', () => {
    expect(problems('nodes:\n  - name: a\n    port: "80"\n    hidden: yes please\n')).toEqual([
      'cluster.yaml:3:11: nodes[0].port: expected a port number 0-65535; got "80"',
      'cluster.yaml:4:13: nodes[0].hidden: expected true or false; got "yes please"',
    ]);
  });

  it('rejects a carrier other than zmq or net, in a node and in the defaults', () => {
    expect(problems('defaults: {carrier: tcp}\nnodes:\n  - {name: a, carrier: ZMQ}\n')).toEqual([
      'cluster.yaml:1:21: defaults.carrier: expected zmq or net; got "tcp"',
      'cluster.yaml:3:24: nodes[0].carrier: expected zmq or net; got "ZMQ"',
    ]);
  });

  it('rejects a port out of range', () => {
    expect(problems('nodes: [{name: a, port: 70000}, {name: b, port: -1}]')).toEqual([
      'cluster.yaml:1:25: nodes[0].port: expected a port number 0-65535; got 70000',
      'cluster.yaml:1:49: nodes[1].port: expected a port number 0-65535; got -1',
    ]);
  });

  it('rejects an address that is not tcp://HOST:PORT', () => {
    expect(problems('nodes:\n  - {name: a, address: "10.0.0.1:4370"}\n')).toEqual([
      'cluster.yaml:2:24: nodes[0].address: expected an endpoint tcp://HOST:PORT; got "10.0.0.1:4370"',
    ]);
  });

  it('rejects node names that are not name or name@host', () => {
    expect(problems('nodes: ["a b", "x@y@z", 7]')).toEqual([
      'cluster.yaml:1:9: nodes[0]: expected a node name: name or name@host (letters, digits, _ . -); got "a b"',
      'cluster.yaml:1:16: nodes[1]: expected a node name: name or name@host (letters, digits, _ . -); got "x@y@z"',
      'cluster.yaml:1:25: nodes[2]: expected a node: a name, or a mapping with name and optional address, host, port, listen, advertise, hidden, carrier, attributes, location; got 7',
    ]);
  });

  it('rejects a mapping node without a name', () => {
    expect(problems('nodes:\n  - port: 5000\n')).toEqual(['cluster.yaml:2:5: nodes[0]: missing required field "name"']);
  });

  it('rejects bad durations', () => {
    expect(problems('netTickTime: fast\nnodes: [a]\napplications: [{name: x, failoverTimeout: -5, nodes: [a]}]\n')).toEqual([
      'cluster.yaml:1:14: netTickTime: expected a duration such as 500ms, 15s, 2m or 1h; got "fast"',
      'cluster.yaml:3:43: applications[0].failoverTimeout: expected a duration of zero or more milliseconds; got -5',
    ]);
  });

  it('rejects cookies that are numbers, empty, or name both an env var and a file', () => {
    expect(problems('cookie: 12345\nnodes: [a]')).toEqual([
      'cluster.yaml:1:9: cookie: expected a cookie: a string (quote digits), {env: VAR} or {file: PATH}; got 12345',
    ]);
    expect(problems('cookie: ""\nnodes: [a]')).toEqual(['cluster.yaml:1:9: cookie: expected a non-empty cookie; got ""']);
    expect(problems('cookie: {env: A, file: b}\nnodes: [a]')).toEqual([
      'cluster.yaml:1:9: cookie: expected a cookie: a string (quote digits), {env: VAR} or {file: PATH}; got a mapping with 2 fields (env, file)',
    ]);
    expect(problems('cookie: {env: "MY-VAR"}\nnodes: [a]')).toEqual([
      'cluster.yaml:1:15: cookie.env: expected an environment variable name (letters, digits, _); got "MY-VAR"',
    ]);
  });

  it('checks attribute keys and values and location values', () => {
    expect(problems('nodes:\n  - name: a\n    attributes: {9lives: 1, tags: [x]}\n    location: {zone: {a: 1}}\n')).toEqual([
      'cluster.yaml:3:18: nodes[0].attributes["9lives"]: invalid key "9lives": expected a key: a letter or _ then letters, digits, _ . - (at most 64)',
      'cluster.yaml:3:35: nodes[0].attributes.tags: expected an attribute value: a string, number or boolean; got a list',
      'cluster.yaml:4:22: nodes[0].location.zone: expected a location value: a string or number; got a mapping',
    ]);
  });

  it('rejects an empty node list, an empty s_group, an unknown version and a placement policy that is not a mapping', () => {
    expect(problems('version: 2\nnodes: []\nsgroups: {g: []}\nplacement: {p: spread}\n')).toEqual([
      'cluster.yaml:1:10: version: expected 1 (the only format version); got 2',
      'cluster.yaml:2:8: nodes: must not be empty',
      'cluster.yaml:3:14: sgroups.g: must not be empty',
      'cluster.yaml:4:16: placement.p: expected a placement policy (a mapping); got "spread"',
    ]);
  });

  it('rejects a location level listed twice', () => {
    expect(problems('locationLevels: [region, zone, region]\nnodes: [a]')).toEqual([
      'cluster.yaml:1:32: locationLevels[2]: "region" is listed twice (also at index 0)',
    ]);
  });
});

describe('semantic errors', () => {
  it('rejects two nodes with the same name, even when one is written in full', () => {
    expect(problems('nodes:\n  - a\n  - b\n  - name: a@127.0.0.1\n')).toEqual([
      'cluster.yaml:4:11: nodes[2].name: duplicate node a@127.0.0.1 (also at nodes[0])',
    ]);
  });

  it('rejects two nodes with the same address', () => {
    expect(problems('nodes: [a, {name: b, port: 4370}]')).toEqual([
      'cluster.yaml:1:19: nodes[1].name: b@127.0.0.1 has the same address tcp://127.0.0.1:4370 as a@127.0.0.1',
    ]);
  });

  it('rejects an endpoint whose port is out of range', () => {
    expect(problems('nodes:\n  - {name: a, listen: "tcp://127.0.0.1:65536", advertise: "tcp://h:99999"}\n')).toEqual([
      'cluster.yaml:2:23: nodes[0].listen: port 65536 is out of range 0-65535',
      'cluster.yaml:2:59: nodes[0].advertise: port 99999 is out of range 0-65535',
    ]);
  });

  it('rejects address together with host or port', () => {
    expect(problems('nodes:\n  - {name: a, address: "tcp://h:1", port: 2}\n')).toEqual([
      'cluster.yaml:2:24: nodes[0].address: give either address or host and port, not both',
    ]);
  });

  it('rejects a wildcard host other nodes could never dial', () => {
    expect(problems('defaults: {host: 0.0.0.0}\nnodes: [a, {name: b, host: "::", listen: "tcp://*:1"}, {name: c, advertise: "tcp://*:5"}]')).toEqual([
      expect.stringMatching(/^cluster\.yaml:1:18: defaults\.host: 0\.0\.0\.0 binds every interface and cannot be dialled/),
      expect.stringMatching(/^cluster\.yaml:2:28: nodes\[1\]\.host: :: binds every interface/),
      expect.stringMatching(/^cluster\.yaml:2:77: nodes\[2\]\.advertise: \* binds every interface/),
    ]);
  });

  it('rejects an advertised port 0', () => {
    expect(problems('nodes: [{name: a, advertise: "tcp://h:0"}]')).toEqual([
      'cluster.yaml:1:30: nodes[0].advertise: an advertised address needs a real port, not 0',
    ]);
  });

  it('rejects default ports that run past 65535', () => {
    expect(problems('defaults: {basePort: 65535}\nnodes: [a, b]')).toEqual([
      'cluster.yaml:2:12: nodes[1]: the default port is defaults.basePort 65535 + index 1 = 65536, above 65535: give this node a port',
    ]);
  });

  it('rejects a location level that locationLevels does not declare', () => {
    expect(problems('nodes: [{name: a, location: {region: eu, planet: mars}}]')).toEqual([
      'cluster.yaml:1:42: nodes[0].location.planet: unknown location level "planet"; the levels are: region, zone, host (see locationLevels)',
    ]);
  });

  it('rejects unknown and ambiguous nodes in sgroups and applications', () => {
    expect(
      problems('nodes: [a@h1, a@h2, b]\nsgroups: {g: [a, b, c]}\napplications: [{name: x, nodes: [a@h1, [zz, b]]}]\n'),
    ).toEqual([
      'cluster.yaml:2:15: sgroups.g[0]: "a" is ambiguous: it could be a@h1 or a@h2; use the full name',
      'cluster.yaml:2:21: sgroups.g[2]: unknown node "c" (nodes: a@h1, a@h2, b@127.0.0.1)',
      'cluster.yaml:3:41: applications[0].nodes[1][0]: unknown node "zz" (nodes: a@h1, a@h2, b@127.0.0.1)',
    ]);
  });

  it('rejects a node listed twice in an s_group or in an application, however it is written', () => {
    expect(problems('nodes: [a, b]\nsgroups: {g: [a, a@127.0.0.1]}\napplications: [{name: x, nodes: [a, [b, a]]}]\n')).toEqual([
      'cluster.yaml:2:18: sgroups.g[1]: a@127.0.0.1 is listed twice in s_group g',
      'cluster.yaml:3:41: applications[0].nodes[1][1]: a@127.0.0.1 appears twice in the nodes of application x',
    ]);
  });

  it('rejects two applications with one name', () => {
    expect(problems('nodes: [a]\napplications:\n  - {name: x, nodes: [a]}\n  - {name: x, nodes: [a]}\n')).toEqual([
      'cluster.yaml:4:12: applications[1].name: duplicate application x (also at applications[0])',
    ]);
  });

  it('points into the anchored value when a problem is reached through an alias', () => {
    expect(problems('nodes:\n  - {name: a, location: &here {planet: mars}}\n  - {name: b, location: *here}\n')).toEqual([
      'cluster.yaml:2:32: nodes[0].location.planet: unknown location level "planet"; the levels are: region, zone, host (see locationLevels)',
      'cluster.yaml:2:32: nodes[1].location.planet: unknown location level "planet"; the levels are: region, zone, host (see locationLevels)',
    ]);
  });

  it('rejects a net tick time of zero', () => {
    expect(problems('netTickTime: 0ms\nnodes: [a]')).toEqual(['cluster.yaml:1:14: netTickTime: the net tick time must be greater than zero']);
  });
});

describe('reporting', () => {
  const BROKEN = [
    'cookie: 42', //                         1: schema
    'nodes:',
    '  - a',
    '  - {name: b, port: 99999}', //         4: schema
    '  - {name: a}', //                      5: semantic
    '  - {name: c, colour: red}', //         6: schema
    'sgroups:',
    '  g: [a, nobody]', //                   8: semantic
    'applications:',
    '  - {name: app, nodes: [c, c]}', //     10: semantic
  ].join('\n');

  it('reports every schema and semantic problem at once, in file order', () => {
    expect(problems(BROKEN).map((p) => p.split(':').slice(0, 3).join(':'))).toEqual([
      'cluster.yaml:1:9',
      'cluster.yaml:4:21',
      'cluster.yaml:5:12',
      'cluster.yaml:6:15',
      'cluster.yaml:8:10',
      'cluster.yaml:10:28',
    ]);
  });

  it('throws one typed error carrying every problem, each on its own line of the message', () => {
    let error: unknown;
    try {
      parseClusterConfig(BROKEN, { file: 'cluster.yaml' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigInvalidError);
    const invalid = error as ConfigInvalidError;
    expect(invalid.code).toBe('config_invalid');
    expect(invalid.file).toBe('cluster.yaml');
    expect(invalid.problems).toHaveLength(6);
    expect(invalid.message.split('\n')).toEqual([
      'cluster.yaml: 6 problems in the cluster configuration',
      ...invalid.problems.map((p) => `  ${formatProblem(p)}`),
    ]);
  });

  it('names the path but no line for an in-memory document', () => {
    const result = loader.checkDocument({ nodes: [{ name: 'a', port: 'x' }] });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      '<object>: nodes[0].port: expected a port number 0-65535; got "x"',
    ]);
  });
});
