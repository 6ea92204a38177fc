// The project whose packages go into the node image: this repository (the `sdnode` CLI is the
// workspace apps/sdnode) or a user's project with `sdnode` installed in node_modules. Read from
// the npm lockfile: package-lock.json, else npm's hidden node_modules/.package-lock.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ImageInputError } from './image-errors.js';
import { resolveKey, type Lockfile } from './prod-closure.js';

/** The CLI package every node runs. */
export const CLI_PACKAGE = 'sdnode';
const LOCKFILES = ['package-lock.json', 'node_modules/.package-lock.json'];

export interface ImageProject {
  /** The directory that becomes /app in the image. */
  readonly root: string;
  readonly lock: Lockfile;
  /** Lockfile key of the `sdnode` package: `apps/sdnode` (this repository) or `node_modules/sdnode`. */
  readonly cli: string;
}

function readLock(dir: string): Lockfile | undefined {
  for (const name of LOCKFILES) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Lockfile;
    } catch (error) {
      throw new ImageInputError(`${path} is not JSON: ${(error as Error).message}`);
    }
  }
  return undefined;
}

/** The lockfile key of the sdnode CLI in `lock`, if it lists one. */
function cliKey(lock: Lockfile): string | undefined {
  const packages = lock.packages ?? {};
  const installed = packages[`node_modules/${CLI_PACKAGE}`];
  if (installed === undefined) return undefined;
  if (installed.link === true) return installed.resolved;
  return `node_modules/${CLI_PACKAGE}`;
}

/**
 * The nearest directory at or above `start` whose npm lockfile lists the `sdnode` package (this
 * repository, or the project @sdnode/harness is installed in).
 */
export function findProjectRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    const lock = readLock(dir);
    if (lock !== undefined && cliKey(lock) !== undefined) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new ImageInputError(
        `no npm project with the sdnode package installed at or above ${start}: install it beside @sdnode/harness ` +
          '(npm install --save-dev sdnode), or pass containers.image',
      );
    }
    dir = parent;
  }
}

export function loadProject(root: string): ImageProject {
  const lock = readLock(root);
  if (lock === undefined) throw new ImageInputError(`${root} has no package-lock.json (the node image is built from an npm project)`);
  const cli = cliKey(lock);
  if (cli === undefined) throw new ImageInputError(`${root}: the sdnode package is not installed (npm install --save-dev sdnode)`);
  if (!existsSync(join(root, cli))) throw new ImageInputError(`${join(root, cli)} is missing: run npm ci (or npm install)`);
  return { root, lock, cli };
}

/**
 * Lockfile keys of packages the project's own code needs in the image: its production
 * dependencies and the `names` asked for (such as the bare imports of the user's module),
 * as Node would resolve them from the project root. Names the project does not have are
 * returned in `unknown`.
 */
export function projectPackages(project: ImageProject, names: readonly string[]): { keys: string[]; unknown: string[] } {
  const packages = project.lock.packages ?? {};
  const own = Object.keys(packages['']?.dependencies ?? {});
  const keys = new Set<string>();
  const unknown: string[] = [];
  for (const name of new Set([...own, ...names])) {
    const key = resolveKey(packages, '', name);
    if (key === undefined) {
      unknown.push(name);
      continue;
    }
    const meta = packages[key];
    keys.add(meta?.link === true && meta.resolved !== undefined ? meta.resolved : key);
  }
  return { keys: [...keys].sort(), unknown };
}
