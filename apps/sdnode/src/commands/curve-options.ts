import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@sdnode/wire';
import { checkCurveKeys, type CurveKeys } from '@sdnode/transport';

/** The CLI's CURVE flags (`sdnode start` and the commands that ask a node). */
export interface CurveFlags {
  /** `--curve-public-key KEY`: the cluster's public key (Z85; public, fine on a command line). */
  curvePublicKey?: string;
  /** `--curve-secret-key-file PATH`: a file holding the cluster's secret key (never on the command line). */
  curveSecretKeyFile?: string;
}

/** The environment variables the CLI reads the keypair from when no flag gives it. */
export const CURVE_ENV = { publicKey: 'SDNODE_CURVE_PUBLIC_KEY', secretKey: 'SDNODE_CURVE_SECRET_KEY' } as const;

export interface CurveFromFlagsOptions {
  /** Fall back on SDNODE_CURVE_PUBLIC_KEY / SDNODE_CURVE_SECRET_KEY (not with a cluster file: the file says where its keys are). */
  readonly useEnv: boolean;
  /** Default: fs.readFileSync as UTF-8. */
  readonly readFile?: (path: string) => string;
}

function readSecretFile(path: string, readFile: (path: string) => string): string {
  try {
    return readFile(path).trim();
  } catch (error) {
    throw new InvalidArgumentError('--curve-secret-key-file', `cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * The CURVE keypair the flags (or, with `useEnv`, the environment) give, checked to be one pair;
 * undefined when none is given. One key without the other is a usage error (InvalidArgumentError),
 * as is a pair that does not match. The secret key is never quoted.
 */
export function curveFromFlags(flags: CurveFlags, env: NodeJS.ProcessEnv, options: CurveFromFlagsOptions): CurveKeys | undefined {
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const envPublic = options.useEnv ? env[CURVE_ENV.publicKey]?.trim() || undefined : undefined;
  const envSecret = options.useEnv ? env[CURVE_ENV.secretKey]?.trim() || undefined : undefined;
  const publicKey = flags.curvePublicKey?.trim() ?? envPublic;
  const secretKey = flags.curveSecretKeyFile !== undefined ? readSecretFile(flags.curveSecretKeyFile, readFile) : envSecret;
  if (publicKey === undefined && secretKey === undefined) return undefined;
  if (publicKey === undefined) {
    throw new InvalidArgumentError('--curve-public-key', `required with the secret key (or set ${CURVE_ENV.publicKey})`);
  }
  if (secretKey === undefined) {
    throw new InvalidArgumentError('--curve-secret-key-file', `required with the public key (or set ${CURVE_ENV.secretKey})`);
  }
  try {
    return checkCurveKeys({ publicKey, secretKey });
  } catch (error) {
    throw new InvalidArgumentError('--curve-public-key', (error as Error).message);
  }
}
