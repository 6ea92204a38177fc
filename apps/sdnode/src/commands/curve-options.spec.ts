import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@sdnode/wire';
import { generateCurveKeys } from '@sdnode/transport';
import { curveFromFlags } from './curve-options.js';
import { resolveStartOptions } from './start-options.js';
import { runCliCaptured } from '../cli-capture.test-util.js';

const pair = generateCurveKeys();
const other = generateCurveKeys();
const readFile = (path: string): string => {
  if (path === '/keys/secret') return `${pair.secretKey}\n`;
  throw new Error(`ENOENT: ${path}`);
};

describe('the CLI\'s CURVE keys', () => {
  it('takes the public key and the secret key file, or the environment when allowed', () => {
    expect(curveFromFlags({ curvePublicKey: pair.publicKey, curveSecretKeyFile: '/keys/secret' }, {}, { useEnv: true, readFile })).toEqual(pair);
    const env = { SDNODE_CURVE_PUBLIC_KEY: pair.publicKey, SDNODE_CURVE_SECRET_KEY: pair.secretKey };
    expect(curveFromFlags({}, env, { useEnv: true })).toEqual(pair);
    expect(curveFromFlags({}, env, { useEnv: false })).toBeUndefined();
    expect(curveFromFlags({}, {}, { useEnv: true })).toBeUndefined();
  });

  it('refuses half a pair, an unreadable file and keys of two pairs, as usage errors that never quote the secret', () => {
    expect(() => curveFromFlags({ curvePublicKey: pair.publicKey }, {}, { useEnv: true, readFile })).toThrow(/--curve-secret-key-file: required/);
    expect(() => curveFromFlags({ curveSecretKeyFile: '/keys/secret' }, {}, { useEnv: true, readFile })).toThrow(/--curve-public-key: required/);
    expect(() => curveFromFlags({ curvePublicKey: pair.publicKey, curveSecretKeyFile: '/nope' }, {}, { useEnv: true, readFile })).toThrow(/cannot read \/nope/);
    let caught: unknown;
    try {
      curveFromFlags({ curvePublicKey: other.publicKey, curveSecretKeyFile: '/keys/secret' }, {}, { useEnv: true, readFile });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as Error).message).toMatch(/does not belong to the secret key/);
    expect((caught as Error).message).not.toContain(pair.secretKey);
  });

  it('sdnode start: the flags win over the file\'s curve, whose keys are read when no flag gives them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdnode-curve-opts-'));
    try {
      const file = join(dir, 'cluster.yaml');
      writeFileSync(join(dir, 'secret'), other.secretKey);
      writeFileSync(file, `cookie: c\ncurve: {publicKey: "${pair.publicKey}", secretKey: {env: S}}\nnodes: [a]\n`);
      const fromFile = await resolveStartOptions({ config: file, node: 'a', seed: {}, hidden: false }, { S: pair.secretKey });
      expect(fromFile.curve).toEqual(pair);
      expect(fromFile.carrier).toBe('zmq');
      const overridden = await resolveStartOptions({ config: file, node: 'a', seed: {}, hidden: false, curvePublicKey: other.publicKey, curveSecretKeyFile: join(dir, 'secret') }, {});
      expect(overridden.curve).toEqual(other);
      const noFile = await resolveStartOptions({ name: 'x@127.0.0.1', cookie: 'c', seed: {}, hidden: false }, { SDNODE_CURVE_PUBLIC_KEY: pair.publicKey, SDNODE_CURVE_SECRET_KEY: pair.secretKey });
      expect(noFile.curve).toEqual(pair);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sdnode config check says whether the keys of curve are available here, never showing them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdnode-curve-check-'));
    try {
      const file = join(dir, 'cluster.yaml');
      writeFileSync(file, `cookie: c\ncurve: {publicKey: "${pair.publicKey}", secretKey: {file: curve-secret.key}}\nnodes: [a]\n`);
      const missing = await runCliCaptured('config', 'check', file);
      expect(missing.code).toBe(0);
      expect(missing.out).toContain(`# curve: CurveZMQ on, not available here: the CURVE secret key (file ${join(dir, 'curve-secret.key')}) cannot be read`);
      writeFileSync(join(dir, 'curve-secret.key'), `${pair.secretKey}\n`);
      const ok = await runCliCaptured('config', 'check', file);
      expect(ok.out).toContain('# curve: CurveZMQ on, both keys available here\n');
      expect(ok.out).not.toContain(pair.secretKey);
      const json = JSON.parse((await runCliCaptured('config', 'check', file, '--json')).out) as { curveAvailable?: boolean };
      expect(json.curveAvailable).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sdnode curve keygen prints a new pair each time', async () => {
    const first = await runCliCaptured('curve', 'keygen');
    const second = await runCliCaptured('curve', 'keygen', '--json');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^public: \S{40}\nsecret: \S{40}\n$/);
    const keys = JSON.parse(second.out) as { publicKey: string; secretKey: string };
    expect(first.out).not.toContain(keys.publicKey);
    expect(() => curveFromFlags({}, { SDNODE_CURVE_PUBLIC_KEY: keys.publicKey, SDNODE_CURVE_SECRET_KEY: keys.secretKey }, { useEnv: true })).not.toThrow();
  });
});
