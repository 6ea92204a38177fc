import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainerRuntimeError } from '@sdnode/wire';

const BUILDER = 'tools/image/build-image.mjs';

export interface ImageBuildResult {
  /** `sdnode-node:<content hash>`. */
  readonly tag: string;
  /** False when an image with this hash existed already. */
  readonly built: boolean;
  readonly seconds: number;
  readonly sizeBytes: number;
}

/** The repository holding tools/image (searched upwards from this package). */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, BUILDER))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new ContainerRuntimeError('finding the node image builder', `no ${BUILDER} above ${start}; pass containers.image`);
    dir = parent;
  }
}

function run(args: string[], cwd: string, timeoutMs: number, operation: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why = error.killed ? `timed out after ${timeoutMs} ms` : `exit ${String(error.code)}`;
      reject(new ContainerRuntimeError(operation, `${why}\n${stdout}${stderr}`));
    });
  });
}

/**
 * `tsc -b tsconfig.build.json` in the repository (incremental: about a second when nothing
 * changed), so that the image never holds stale JavaScript.
 */
export async function buildWorkspace(repoRoot: string = findRepoRoot(), timeoutMs = 300_000): Promise<void> {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  await run([tsc, '-b', 'tsconfig.build.json'], repoRoot, timeoutMs, 'building the workspace (tsc -b tsconfig.build.json)');
}

/**
 * The node image for the current build, FROM scratch and without any registry (see
 * tools/image): reused when its content hash exists, else built (a few seconds).
 */
export async function ensureNodeImage(repoRoot: string = findRepoRoot(), timeoutMs = 300_000): Promise<ImageBuildResult> {
  const stdout = await run([join(repoRoot, BUILDER), '--json', '--repo', repoRoot], repoRoot, timeoutMs, 'building the node image');
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(last) as Partial<ImageBuildResult>;
    if (typeof parsed.tag === 'string' && typeof parsed.built === 'boolean') return parsed as ImageBuildResult;
  } catch {
    // reported below
  }
  throw new ContainerRuntimeError('building the node image', `the builder printed no result line: ${stdout}`);
}
