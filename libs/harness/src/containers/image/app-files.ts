// The application part of the image: the `sdnode` CLI and the packages it and the user's code
// need in production (see prod-closure.ts), laid out under /app exactly as in the project so
// Node's module resolution works unchanged (workspace links stay symlinks).
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ImageInputError } from './image-errors.js';
import type { FileEntry, PlanEntry, SymlinkEntry } from './plan-entry.js';
import { productionClosure, type Lockfile } from './prod-closure.js';

export const APP_ROOT = '/app';
/** Standalone smoke-test scripts shipped in the image when the project has them (this repository's e2e). */
export const FIXTURES_DIR = 'e2e/fixtures';

/**
 * Paths inside a package that are never needed in a linux image. zeromq ships prebuilt addons
 * for every OS and CPU: keep only this machine's directory (and the files such as
 * build/manifest.json that its loader reads). Directories are passed with a trailing slash.
 */
const keepOnly =
  (keep: string) =>
  (rel: string): boolean =>
    rel.endsWith('/') && rel.startsWith(`${keep.split('/')[0] ?? ''}/`) && !keep.startsWith(rel) && !rel.startsWith(keep);
const PRUNE: Record<string, (rel: string) => boolean> = {
  zeromq: keepOnly(`build/${process.platform}/${process.arch}/`),
};

export interface Walked {
  readonly rel: string;
  readonly type: 'file' | 'symlink';
  readonly target?: string;
  readonly mode: number;
}

/** Every file and symlink under `dir` (directories are descended), as paths relative to it. */
export function walk(dir: string, skip: (rel: string, isDir: boolean) => boolean): Walked[] {
  const out: Walked[] = [];
  const visit = (rel: string): void => {
    const abs = rel === '' ? dir : join(dir, rel);
    for (const name of readdirSync(abs).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(dir, childRel));
      if (skip(childRel, st.isDirectory())) continue;
      if (st.isSymbolicLink()) out.push({ rel: childRel, type: 'symlink', target: readlinkSync(join(dir, childRel)), mode: 0o777 });
      else if (st.isDirectory()) visit(childRel);
      else if (st.isFile()) out.push({ rel: childRel, type: 'file', mode: st.mode & 0o777 });
    }
  };
  visit('');
  return out;
}

/** Walked files of `srcDir` as plan entries under `destDir`. */
function entriesFor(srcDir: string, destDir: string, walked: readonly Walked[]): (FileEntry | SymlinkEntry)[] {
  return walked.map((w) =>
    w.type === 'symlink'
      ? { kind: 'symlink', dest: posix.join(destDir, w.rel), target: w.target ?? '' }
      : { kind: 'file', dest: posix.join(destDir, w.rel), src: join(srcDir, w.rel), mode: w.mode },
  );
}

/** Build output that is not needed at run time (types, build info). */
const RUNTIME_UNNEEDED = /(\.tsbuildinfo|\.d\.ts|\.d\.ts\.map)$/;

/**
 * The data directories a workspace package publishes besides dist/ (its package.json `files`,
 * such as @sdnode/config's `schema`), which its code reads at run time. Documents are left out.
 */
function publishedDataDirs(srcDir: string): string[] {
  const files: unknown = (JSON.parse(readFileSync(join(srcDir, 'package.json'), 'utf8')) as { files?: unknown }).files;
  if (!Array.isArray(files)) return [];
  return files
    .filter((f): f is string => typeof f === 'string' && f !== 'dist' && !/\.md$/i.test(f) && !f.includes('*'))
    .map((f) => f.replace(/\/+$/, ''));
}

/** A built workspace package: package.json, dist/ (no types, no build info) and its published data directories. */
function workspaceEntries(root: string, relDir: string): (FileEntry | SymlinkEntry)[] {
  const srcDir = join(root, relDir);
  if (!existsSync(join(srcDir, 'dist'))) throw new ImageInputError(`${relDir}/dist is missing: build the workspace first (npm run build)`);
  const data = publishedDataDirs(srcDir);
  const walked = walk(srcDir, (rel, isDir) => {
    if (rel === 'package.json') return false;
    if (rel === 'dist' || rel.startsWith('dist/')) return !isDir && RUNTIME_UNNEEDED.test(rel);
    if (data.some((d) => rel === d || rel.startsWith(`${d}/`))) return false;
    return true;
  });
  return entriesFor(srcDir, posix.join(APP_ROOT, relDir), walked);
}

/** An installed npm package, without its nested node_modules (listed separately). */
function packageEntries(root: string, key: string): (FileEntry | SymlinkEntry)[] {
  const srcDir = join(root, key);
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const prune = PRUNE[name] ?? (() => false);
  const walked = walk(srcDir, (rel, isDir) => (isDir && rel === 'node_modules') || prune(isDir ? `${rel}/` : rel));
  return entriesFor(srcDir, posix.join(APP_ROOT, key), walked);
}

/**
 * Plan entries for /app: the project's package.json, and the workspaces and installed packages
 * that `entries` (lockfile keys: the CLI, the user's packages) need in production.
 */
export function appEntries(root: string, lock: Lockfile, entries: readonly string[]): { entries: PlanEntry[]; packages: string[] } {
  const closure = productionClosure(root, lock, entries);
  const out: PlanEntry[] = [];
  if (existsSync(join(root, 'package.json'))) out.push({ kind: 'file', dest: `${APP_ROOT}/package.json`, src: join(root, 'package.json'), mode: 0o644 });
  for (const { key, resolved } of closure.links) {
    const dest = posix.join(APP_ROOT, key);
    out.push({ kind: 'symlink', dest, target: posix.relative(posix.dirname(dest), posix.join(APP_ROOT, resolved)) });
  }
  for (const relDir of closure.workspaces) out.push(...workspaceEntries(root, relDir));
  for (const key of closure.installed) out.push(...packageEntries(root, key));
  const fixtures = join(root, FIXTURES_DIR);
  if (existsSync(fixtures)) {
    const walked = walk(fixtures, (rel, isDir) => !isDir && !rel.endsWith('.mjs'));
    out.push(...entriesFor(fixtures, posix.join(APP_ROOT, FIXTURES_DIR), walked));
  }
  return { entries: out, packages: [...closure.workspaces, ...closure.installed] };
}
