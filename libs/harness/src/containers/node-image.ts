// The node image for container mode, built by image/build-image.ts from the npm project the
// harness is installed in (this repository, or a user's project with `sdnode` installed): the
// node binary, the `sdnode` CLI with its production packages, and the packages the user's
// module imports. No Dockerfile, no registry: the tag is the content hash of what goes in.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerRuntimeError } from '@sdnode/wire';
import { ImageInputError } from './image/image-errors.js';
import { findProjectRoot } from './image/image-project.js';
import { moduleImports } from './image/module-imports.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The builder program: next to this file once built, or the package's build when run from source. */
const BUILDER_CANDIDATES = [join(HERE, 'image/build-image.js'), join(HERE, '../../dist/containers/image/build-image.js')];

export interface ImageBuildResult {
  /** `sdnode-node:<content hash>`. */
  readonly tag: string;
  /** False when an image with this hash existed already. */
  readonly built: boolean;
  readonly seconds: number;
  readonly sizeBytes: number;
  /** The workspaces and installed packages in the image. */
  readonly packages?: readonly string[];
  /** Packages asked for (imported by the module) that the project does not have: left out. */
  readonly unknownPackages?: readonly string[];
}

export interface NodeImageOptions {
  /** The npm project whose packages go in (default: the one this package is installed in). */
  readonly root?: string;
  /** The user's module: the packages it imports go in the image. */
  readonly module?: string;
  /** A directory copied with the module: the packages its scripts import go in too. */
  readonly moduleRoot?: string;
  /** More packages to put in the image (as resolved from the project root). */
  readonly packages?: readonly string[];
  /** Rebuild even when the image exists. */
  readonly force?: boolean;
  readonly timeoutMs?: number;
}

/**
 * The npm project the node image is built from: the nearest directory above `start` (default:
 * this package) whose lockfile lists the `sdnode` package — this repository, or a user's project.
 */
export function findRepoRoot(start: string = HERE): string {
  return findProjectRoot(start);
}

function builderPath(): string {
  const found = BUILDER_CANDIDATES.find((p) => existsSync(p));
  if (found === undefined) throw new ImageInputError(`the image builder is not built (${BUILDER_CANDIDATES[0]}): run npm run build`);
  return found;
}

function run(args: string[], cwd: string, timeoutMs: number, operation: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolvePromise(stdout);
      const why = error.killed ? `timed out after ${timeoutMs} ms` : `exit ${String(error.code)}`;
      reject(new ContainerRuntimeError(operation, `${why}\n${stdout}${stderr}`));
    });
  });
}

/**
 * `tsc -b tsconfig.build.json` in this repository (incremental: about a second when nothing
 * changed), so that the image never holds stale JavaScript. Nothing to do in a user's project.
 */
export async function buildWorkspace(repoRoot: string = findRepoRoot(), timeoutMs = 300_000): Promise<void> {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  if (!existsSync(join(repoRoot, 'tsconfig.build.json')) || !existsSync(tsc)) return;
  await run([tsc, '-b', 'tsconfig.build.json'], repoRoot, timeoutMs, 'building the workspace (tsc -b tsconfig.build.json)');
}

/**
 * The node image for the project as it is now: reused when its content hash exists, else built
 * (a few seconds). `ensureNodeImage(root)` is `ensureNodeImage({ root })`.
 */
export async function ensureNodeImage(options: string | NodeImageOptions = {}, timeoutMs?: number): Promise<ImageBuildResult> {
  const o: NodeImageOptions = typeof options === 'string' ? { root: options } : options;
  const root = resolve(o.root ?? findRepoRoot());
  const packages = [...new Set([...(o.packages ?? []), ...moduleImports(o.module, o.moduleRoot)])].sort();
  const args = [builderPath(), '--json', '--root', root, ...packages.flatMap((p) => ['--package', p]), ...(o.force === true ? ['--force'] : [])];
  const stdout = await run(args, root, timeoutMs ?? o.timeoutMs ?? 300_000, 'building the node image');
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as Partial<ImageBuildResult>;
    if (typeof parsed.tag === 'string' && typeof parsed.built === 'boolean') return parsed as ImageBuildResult;
  } catch {
    // reported below
  }
  throw new ContainerRuntimeError('building the node image', `the builder printed no result line: ${stdout}`);
}
