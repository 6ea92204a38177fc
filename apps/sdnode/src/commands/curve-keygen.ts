import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '@sdnode/wire';
import { generateCurveKeys } from '@sdnode/transport';

export interface CurveKeygenFlags {
  json: boolean;
  /** `--env`: print `SDNODE_CURVE_PUBLIC_KEY=...` and `SDNODE_CURVE_SECRET_KEY=...` (an env file for docker-compose --env-file). */
  env?: boolean;
  /** `--out DIR`: write the keys to DIR/curve-public.key and DIR/curve-secret.key (mode 0600) instead of printing them. */
  out?: string;
  /** Overwrite existing key files in --out. */
  force: boolean;
}

/** The file names `--out DIR` writes (also what the deployment examples mount). */
export const CURVE_KEY_FILES = { publicKey: 'curve-public.key', secretKey: 'curve-secret.key' } as const;

/**
 * `sdnode curve keygen`: a new CurveZMQ keypair for a cluster (zeromq's curveKeyPair). Prints both
 * keys (`public: K` / `secret: K`, JSON, or with --env as SDNODE_CURVE_* lines), or writes them to two files in --out, the secret one
 * readable by its owner only, and prints the public key and the paths. Existing key files are
 * not overwritten without --force (a new pair locks out every node that has the old one).
 */
export function curveKeygenCommand(flags: CurveKeygenFlags, out: NodeJS.WritableStream): number {
  const keys = generateCurveKeys();
  if (flags.out === undefined) {
    if (flags.env === true) out.write(`SDNODE_CURVE_PUBLIC_KEY=${keys.publicKey}\nSDNODE_CURVE_SECRET_KEY=${keys.secretKey}\n`);
    else out.write(flags.json ? `${JSON.stringify(keys)}\n` : `public: ${keys.publicKey}\nsecret: ${keys.secretKey}\n`);
    return 0;
  }
  const publicFile = join(flags.out, CURVE_KEY_FILES.publicKey);
  const secretFile = join(flags.out, CURVE_KEY_FILES.secretKey);
  if (!flags.force) {
    for (const f of [publicFile, secretFile]) {
      if (existsSync(f)) throw new InvalidArgumentError('--out', `${f} exists (a new pair locks out the nodes that have the old one; --force to replace it)`);
    }
  }
  mkdirSync(flags.out, { recursive: true });
  writeFileSync(secretFile, `${keys.secretKey}\n`, { mode: 0o600 });
  chmodSync(secretFile, 0o600); // also when --force replaced a file with other permissions
  writeFileSync(publicFile, `${keys.publicKey}\n`, { mode: 0o644 });
  out.write(
    flags.json
      ? `${JSON.stringify({ publicKey: keys.publicKey, publicKeyFile: publicFile, secretKeyFile: secretFile })}\n`
      : `public: ${keys.publicKey}\nwrote ${publicFile} and ${secretFile} (mode 0600)\n`,
  );
  return 0;
}
