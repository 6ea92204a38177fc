// Build (or reuse) the local node image by running tools/image/build-image.mjs,
// which needs no registry: the tag is the content hash of the image's inputs.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILDER = fileURLToPath(new URL('../../tools/image/build-image.mjs', import.meta.url));

export interface ImageBuildResult {
  readonly tag: string;
  readonly built: boolean;
  readonly seconds: number;
  readonly sizeBytes: number;
}

/** Thrown when the image cannot be built; carries the builder's output. */
export class ImageBuildError extends Error {
  constructor(detail: string) {
    super(`building the node image failed: ${detail}`);
    this.name = 'ImageBuildError';
  }
}

function isBuildResult(v: unknown): v is ImageBuildResult {
  const r = v as Partial<ImageBuildResult> | null;
  return typeof r === 'object' && r !== null && typeof r.tag === 'string' && typeof r.built === 'boolean';
}

/**
 * `tsc -b tsconfig.build.json` (what `npm run build` does; incremental, about a
 * second when nothing changed), so the image never holds stale JavaScript when
 * the e2e project is run on its own.
 */
export function buildWorkspace(timeoutMs = 300_000): Promise<void> {
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [tsc, '-b', 'tsconfig.build.json'],
      { cwd: REPO_ROOT, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const why = error.killed ? `timed out after ${timeoutMs} ms` : `exit ${String(error.code)}`;
        reject(new ImageBuildError(`the workspace build (tsc -b tsconfig.build.json) failed: ${why}\n${stdout}${stderr}`));
      },
    );
  });
}

export function buildNodeImage(timeoutMs = 300_000): Promise<ImageBuildResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BUILDER, '--json', '--repo', REPO_ROOT],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed ? `timed out after ${timeoutMs} ms` : error.message;
          reject(new ImageBuildError(`${why}\n${stderr}`));
          return;
        }
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          const parsed: unknown = JSON.parse(last);
          if (!isBuildResult(parsed)) throw new Error('unexpected shape');
          resolve(parsed);
        } catch {
          reject(new ImageBuildError(`the builder printed no result line: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}
