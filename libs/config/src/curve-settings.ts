/**
 * The `curve` section: the cluster's CurveZMQ keypair (docs/config.md, "curve"). The public key
 * may be written in the file; the secret key never is: it comes from an environment variable or a
 * file (a Kubernetes Secret, a Docker secret), like the cookie. Every node then runs on the `zmq`
 * carrier, the only one with CURVE: a node set to `net` is a problem of the file.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { CookieSource } from './cluster-config.js';
import { CurveKeyUnavailableError } from './errors.js';
import type { PathProblem } from './source-document.js';
import { asArray, asObject, asString, type RawObject } from './values.js';

/** Where a secret comes from when it may not be written in the file. A file path is absolute once normalised. */
export type SecretSource = Extract<CookieSource, { kind: 'env' } | { kind: 'file' }>;

export interface CurveConfig {
  /** The cluster's public key (Z85): written in the file, or from an environment variable or a file. */
  readonly publicKey: CookieSource;
  /** The cluster's secret key (Z85): from an environment variable or a file, never the file itself. */
  readonly secretKey: SecretSource;
}

export type CurveKeyDocument = string | { readonly env: string } | { readonly file: string };

export interface CurveDocument {
  readonly publicKey: CurveKeyDocument;
  readonly secretKey: { readonly env: string } | { readonly file: string };
}

/** A CURVE key in Z85: 40 characters of the Z85 alphabet (rfc 32). */
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/**
 * A secret's source as the file writes it: a literal string, `{env: NAME}` or `{file: PATH}`
 * (relative to the file's directory); undefined when it is none of these. The cookie and the
 * CURVE keys are read this way.
 */
export function secretSourceOf(value: unknown, baseDir: string): CookieSource | undefined {
  if (typeof value === 'string' && value !== '') return { kind: 'literal', value };
  const obj = asObject(value);
  const env = asString(obj?.['env']);
  if (env !== undefined) return { kind: 'env', name: env };
  const file = asString(obj?.['file']);
  if (file !== undefined) return { kind: 'file', path: isAbsolute(file) ? file : resolve(baseDir, file) };
  return undefined;
}

/**
 * The `curve` section, normalised (undefined when absent or unreadable: the schema reported its
 * shape). Reports, besides the schema's checks, every node set to the `net` carrier.
 */
export function normaliseCurve(root: RawObject, baseDir: string, problems: PathProblem[]): CurveConfig | undefined {
  const section = asObject(root['curve']);
  if (section === undefined) return undefined;
  const publicKey = secretSourceOf(section['publicKey'], baseDir);
  const secretKey = secretSourceOf(section['secretKey'], baseDir);
  const net = 'CurveZMQ (curve) needs the zmq carrier: the net carrier has no CURVE (leave carrier out, or set it to zmq)';
  if (asObject(root['defaults'])?.['carrier'] === 'net') problems.push({ path: ['defaults', 'carrier'], message: net });
  (asArray(root['nodes']) ?? []).forEach((entry, index) => {
    if (asObject(entry)?.['carrier'] === 'net') problems.push({ path: ['nodes', index, 'carrier'], message: net });
  });
  if (secretKey?.kind === 'literal') {
    // Accepted by the schema's shape so that no message quotes it; refused here, never echoed.
    problems.push({ path: ['curve', 'secretKey'], message: 'the CURVE secret key is never written in the file: give {env: VAR} or {file: PATH} (e.g. a mounted Secret)' });
  }
  if (publicKey === undefined || secretKey === undefined || secretKey.kind === 'literal') return undefined;
  return { publicKey, secretKey };
}

export function curveDocument(curve: CurveConfig): CurveDocument {
  const doc = (source: CookieSource): CurveKeyDocument =>
    source.kind === 'literal' ? source.value : source.kind === 'env' ? { env: source.name } : { file: source.path };
  return { publicKey: doc(curve.publicKey), secretKey: doc(curve.secretKey) as CurveDocument['secretKey'] };
}

/** Where a key comes from, in words, never the key itself. */
export function describeCurveKeySource(which: 'public' | 'secret', source: CookieSource): string {
  const key = `the CURVE ${which} key`;
  switch (source.kind) {
    case 'literal':
      return `${key} written in the configuration file`;
    case 'env':
      return `${key} (environment variable ${source.name})`;
    case 'file':
      return `${key} (file ${source.path})`;
  }
}

export interface CurveEnvironment {
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: fs.readFileSync as UTF-8. */
  readonly readFile?: (path: string) => string;
}

function resolveKey(which: 'public' | 'secret', source: CookieSource, environment: CurveEnvironment): string {
  const where = describeCurveKeySource(which, source);
  let text: string | undefined;
  if (source.kind === 'literal') text = source.value;
  else if (source.kind === 'env') {
    text = (environment.env ?? process.env)[source.name];
    if (text === undefined || text.trim() === '') throw new CurveKeyUnavailableError(where, text === undefined ? 'is not set' : 'is empty');
  } else {
    try {
      text = (environment.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(source.path);
    } catch (error) {
      throw new CurveKeyUnavailableError(where, `cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }
  const key = text.trim();
  if (key === '') throw new CurveKeyUnavailableError(where, 'is empty');
  if (!Z85_KEY.test(key)) throw new CurveKeyUnavailableError(where, `is not a Z85 CURVE key (40 characters; \`sdnode curve keygen\` makes a pair), it has ${key.length} characters`);
  return key;
}

/**
 * The keypair itself: each key read from where the configuration says, surrounding whitespace
 * removed (a file may end with a newline). Throws CurveKeyUnavailableError when a variable is
 * unset or empty, a file cannot be read, or a value is not a Z85 key. Whether the two keys are
 * one pair is checked by the transport (@sdnode/transport's checkCurveKeys) when the node starts.
 */
export function resolveCurveKeys(curve: CurveConfig, environment: CurveEnvironment = {}): { publicKey: string; secretKey: string } {
  return { publicKey: resolveKey('public', curve.publicKey, environment), secretKey: resolveKey('secret', curve.secretKey, environment) };
}
