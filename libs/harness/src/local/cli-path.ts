import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@sdnode/wire';

const CANDIDATES = ['node_modules/sdnode/dist/main.js', 'apps/sdnode/dist/main.js'];

/**
 * The `sdnode` CLI that runs each local node: `explicit` if given, else `$SDNODE_CLI`, else the
 * first of `node_modules/sdnode/dist/main.js` or `apps/sdnode/dist/main.js` found in this
 * package's directory or one above it (the installed package, or this repository's build).
 */
export function findCli(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = explicit ?? env['SDNODE_CLI'];
  if (given !== undefined) {
    if (!existsSync(given)) throw new InvalidArgumentError('cli', `${given} does not exist`);
    return given;
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of CANDIDATES) {
      const path = join(dir, candidate);
      if (existsSync(path)) return path;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new InvalidArgumentError(
    'cli',
    'cannot find the sdnode CLI (apps/sdnode/dist/main.js): build it (npm run build), install the `sdnode` package, or set SDNODE_CLI',
  );
}
