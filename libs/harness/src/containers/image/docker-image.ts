// Turning a plan into a Docker image: lay the root file system out in a temp directory, stream
// it as a tar into `docker import` (a one-layer image, the same as FROM scratch + COPY), and
// ask Docker about existing images.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { DockerCommandError } from './image-errors.js';
import type { PlanEntry } from './plan-entry.js';

/**
 * Run `docker ...args` to completion; returns stdout, or throws DockerCommandError (unless
 * `tolerate` matches the error output: then returns undefined).
 */
export function docker(args: readonly string[], { timeoutMs = 60_000, tolerate }: { timeoutMs?: number; tolerate?: RegExp } = {}): string | undefined {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw new DockerCommandError(`docker ${args[0] ?? ''}`, r.error.message);
  if (r.status !== 0) {
    const detail = (r.stderr || r.stdout || `exit ${String(r.status)}`).trim();
    if (tolerate?.test(detail)) return undefined;
    throw new DockerCommandError(`docker ${args.join(' ')}`, detail);
  }
  return r.stdout.trim();
}

/** Size in bytes of a local image, or undefined when it does not exist. */
export function imageSize(tag: string): number | undefined {
  const out = docker(['image', 'inspect', '--format', '{{.Size}}', tag], { tolerate: /no such (image|object)/i });
  return out === undefined ? undefined : Number(out);
}

/** The image label naming the lineage an image belongs to (see `imageLineage`). */
export const LINEAGE_LABEL = 'sdnode.lineage';

/**
 * The lineage of the images built from one project with one set of extra packages: the
 * successive versions of "the same image". Pruning stays inside a lineage, so building the
 * image of one project never removes the image another project (or another run's package set)
 * is using on the same Docker engine.
 */
export function imageLineage(root: string, packages: readonly string[]): string {
  const key = `${resolve(root)}\n${[...new Set(packages)].sort().join('\n')}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * Remove older images of `repository` in `lineage`, keeping the `keep` newest and `current`.
 * Images of other lineages, and unlabelled ones, are never touched. An image a container still
 * uses is left alone (docker refuses, we go on). Returns the tags removed.
 */
export function pruneOldImages(repository: string, current: string, keep: number, lineage: string): string[] {
  const listed = docker(['image', 'ls', repository, '--filter', `label=${LINEAGE_LABEL}=${lineage}`, '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']);
  const rows = (listed ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ') as [string, string]);
  const currentId = rows.find(([, tag]) => tag === current)?.[0];
  const ids = [...new Set(rows.map(([id]) => id))].filter((id) => id !== currentId); // newest first
  const removed: string[] = [];
  for (const id of ids.slice(Math.max(0, keep - 1))) {
    for (const [rowId, tag] of rows) {
      if (rowId !== id) continue;
      if (docker(['image', 'rm', tag], { tolerate: /./ }) !== undefined) removed.push(tag);
    }
  }
  return removed;
}

/** mkdir -p whose new directories are world-readable whatever the umask. */
function ensureDir(root: string, dest: string): string {
  let cur = root;
  for (const part of dest.split('/').filter(Boolean)) {
    cur = join(cur, part);
    if (!existsSync(cur)) {
      mkdirSync(cur);
      chmodSync(cur, 0o755);
    }
  }
  return cur;
}

/** Materialise the plan under a fresh temp directory; returns its path. */
export function stageRootfs(entries: readonly PlanEntry[]): string {
  const stage = mkdtempSync(join(tmpdir(), 'sdnode-image-'));
  try {
    for (const e of entries) {
      const path = join(stage, e.dest);
      if (e.kind === 'dir') {
        ensureDir(stage, e.dest);
        chmodSync(path, e.mode);
        continue;
      }
      ensureDir(stage, dirname(e.dest));
      if (e.kind === 'content') {
        writeFileSync(path, e.content, { mode: e.mode });
        chmodSync(path, e.mode);
      } else if (e.kind === 'symlink') {
        symlinkSync(e.target, path);
      } else {
        try {
          linkSync(e.src, path); // same file system: no copy; the mode is the source's
        } catch {
          copyFileSync(e.src, path);
          chmodSync(path, e.mode);
        }
      }
    }
    return stage;
  } catch (err) {
    rmSync(stage, { recursive: true, force: true });
    throw err;
  }
}

/** Wait for a child process to exit, with a deadline. */
function exited(child: ChildProcess, name: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const onAbort = (): void => {
      child.kill('SIGKILL');
      reject(new DockerCommandError(name, `timed out (${String(signal.reason ?? 'aborted')})`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(new DockerCommandError(name, err.message));
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (code === 0) resolve();
      else reject(new DockerCommandError(name, stderr.trim() || `exit ${String(code)}`));
    });
  });
}

/** tar the staged root file system into `docker import`. Everything is owned by root and readable by everyone. */
export async function importRootfs(stage: string, tag: string, changes: readonly string[], { timeoutMs = 300_000 } = {}): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '--mode=a+rX', '--sort=name', '-C', stage, '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const importer = spawn('docker', ['import', ...changes.flatMap((c) => ['--change', c]), '--message', 'sdnode node image', '-', tag], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // If docker import dies, tar gets EPIPE: the importer's exit status says why.
  importer.stdin.on('error', () => {});
  tar.stdout.on('error', () => {});
  tar.stdout.pipe(importer.stdin);
  importer.stdout.resume();
  await Promise.all([exited(tar, 'tar', signal), exited(importer, 'docker import', signal)]);
}
