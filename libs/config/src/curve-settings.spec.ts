import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClusterConfigLoader,
  CurveKeyUnavailableError,
  formatProblem,
  loadClusterConfig,
  nodeStartOptions,
  resolveCurveKeys,
  stringifyClusterConfig,
} from './index.js';

const loader = new ClusterConfigLoader();
// A keypair made by zeromq's curveKeyPair() (config depends on no sdnode layer, nor on zeromq).
const PUBLIC = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
const SECRET = 'JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6';

function problems(text: string): string[] {
  const result = loader.check(text, { file: 'cluster.yaml' });
  if (result.ok) throw new Error('expected the configuration to be invalid');
  return result.problems.map(formatProblem);
}

describe('the curve section', () => {
  it('reads the public key from the file and the secret key from the environment; nodes run on zmq', () => {
    const config = loader.parse(`cookie: c\ncurve: {publicKey: "${PUBLIC}", secretKey: {env: MY_SECRET}}\nnodes: [a, b]\n`, { file: 'cluster.yaml' });
    expect(config.curve).toEqual({ publicKey: { kind: 'literal', value: PUBLIC }, secretKey: { kind: 'env', name: 'MY_SECRET' } });
    const start = nodeStartOptions(config, 'a', { env: { MY_SECRET: SECRET } });
    expect(start.curve).toEqual({ publicKey: PUBLIC, secretKey: SECRET });
    expect(start.carrier).toBe('zmq');
    expect(nodeStartOptions(loader.parse('cookie: c\nnodes: [a]'), 'a').curve).toBeUndefined();
  });

  it('reads keys from files relative to the configuration file, trimmed, and round-trips', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdnode-curve-'));
    try {
      writeFileSync(join(dir, 'curve.pub'), `${PUBLIC}\n`);
      writeFileSync(join(dir, 'curve.key'), `${SECRET}\n`);
      writeFileSync(join(dir, 'cluster.yaml'), 'cookie: c\ncurve: {publicKey: {file: curve.pub}, secretKey: {file: curve.key}}\nnodes: [a]\n');
      const config = await loadClusterConfig(join(dir, 'cluster.yaml'));
      expect(config.curve?.secretKey).toEqual({ kind: 'file', path: join(dir, 'curve.key') });
      expect(resolveCurveKeys(config.curve!)).toEqual({ publicKey: PUBLIC, secretKey: SECRET });
      expect(loader.parse(stringifyClusterConfig(config), { file: 'again.yaml' })).toEqual(config);
      const text = stringifyClusterConfig(config);
      expect(text).not.toContain(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never takes the secret key written in the file, and reports a bad public key and missing keys', () => {
    expect(problems(`nodes: [a]\ncurve: {publicKey: "${PUBLIC}", secretKey: "${SECRET}"}\n`)).toEqual([
      'cluster.yaml:2:75: curve.secretKey: the CURVE secret key is never written in the file: give {env: VAR} or {file: PATH} (e.g. a mounted Secret)',
    ]);
    expect(problems('nodes: [a]\ncurve: {publicKey: short, secretKey: {env: S}}\n')).toEqual([
      'cluster.yaml:2:20: curve.publicKey: expected a Z85 CURVE public key (40 characters, as `sdnode curve keygen` prints); got "short"',
    ]);
    expect(problems('nodes: [a]\ncurve: {secretKey: {env: S}}\n').join()).toMatch(/curve.*publicKey/);
    expect(problems('nodes: [a]\ncurve: {publicKey: {env: P}, secretKey: {vault: S}}\n').join()).toMatch(/curve\.secretKey/);
  });

  it('reports every node on the net carrier: CURVE needs zmq', () => {
    expect(problems(`defaults: {carrier: net}\ncurve: {publicKey: {env: P}, secretKey: {env: S}}\nnodes: [a, {name: b, carrier: net}, {name: c, carrier: zmq}]\n`)).toEqual([
      'cluster.yaml:1:21: defaults.carrier: CurveZMQ (curve) needs the zmq carrier: the net carrier has no CURVE (leave carrier out, or set it to zmq)',
      'cluster.yaml:3:31: nodes[1].carrier: CurveZMQ (curve) needs the zmq carrier: the net carrier has no CURVE (leave carrier out, or set it to zmq)',
    ]);
  });

  it('says which key is unavailable, and why, without quoting it', () => {
    const config = loader.parse('cookie: c\ncurve: {publicKey: {env: P}, secretKey: {file: /nonexistent/curve.key}}\nnodes: [a]\n');
    expect(() => resolveCurveKeys(config.curve!, { env: {} })).toThrow(new CurveKeyUnavailableError('the CURVE public key (environment variable P)', 'is not set'));
    expect(() => resolveCurveKeys(config.curve!, { env: { P: PUBLIC } })).toThrow(/the CURVE secret key \(file \/nonexistent\/curve.key\) cannot be read/);
    const badSecret = 'x'.repeat(39);
    try {
      resolveCurveKeys(config.curve!, { env: { P: PUBLIC }, readFile: () => badSecret });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CurveKeyUnavailableError);
      expect((error as CurveKeyUnavailableError).code).toBe('config_curve_key_unavailable');
      expect((error as Error).message).toMatch(/is not a Z85 CURVE key .* it has 39 characters/);
      expect((error as Error).message).not.toContain(badSecret);
    }
    expect(() => nodeStartOptions(config, 'a', { env: {} })).toThrow(CurveKeyUnavailableError);
    expect(nodeStartOptions(config, 'a', { curve: { publicKey: PUBLIC, secretKey: SECRET } }).curve?.secretKey).toBe(SECRET);
  });
});
