// The application part of the image: the built workspace packages and the
// production node_modules the entry workspace needs (see prod-closure.mjs),
// laid out under /app exactly as in the repo so Node's module resolution works
// unchanged (workspace links stay symlinks).
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ImageInputError, productionClosure } from './prod-closure.mjs';

export const APP_ROOT = '/app';
/** Standalone smoke-test scripts shipped in the image, relative to the repo root. */
export const FIXTURES_DIR = 'e2e/fixtures';

export { ImageInputError };

/**
 * Paths inside a package that are never needed in a linux image.
 * zeromq ships prebuilt addons for every OS and CPU: keep only this machine's
 * directory (and the files such as build/manifest.json that its loader reads).
 * Directories are passed with a trailing slash.
 */
const keepOnly = (keep) => (rel) =>
  rel.endsWith('/') && rel.startsWith(keep.split('/')[0] + '/') && !keep.startsWith(rel) && !rel.startsWith(keep);
const PRUNE = {
  zeromq: keepOnly(`build/${process.platform}/${process.arch}/`),
};

/**
 * Every file, directory and symlink under `dir`, as paths relative to it.
 * @param {string} dir
 * @param {(rel: string, isDir: boolean) => boolean} skip
 * @returns {{ rel: string, type: 'file' | 'symlink', target?: string, mode: number }[]}
 */
export function walk(dir, skip) {
  const out = [];
  const visit = (rel) => {
    const abs = rel === '' ? dir : join(dir, rel);
    for (const name of readdirSync(abs).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(dir, childRel));
      if (skip(childRel, st.isDirectory())) continue;
      if (st.isSymbolicLink()) {
        out.push({ rel: childRel, type: 'symlink', target: readlinkSync(join(dir, childRel)), mode: 0o777 });
      } else if (st.isDirectory()) {
        visit(childRel);
      } else if (st.isFile()) {
        out.push({ rel: childRel, type: 'file', mode: st.mode & 0o777 });
      }
    }
  };
  visit('');
  return out;
}

/** Turn walked files of `srcDir` into plan entries under `destDir`. */
function entriesFor(srcDir, destDir, walked) {
  return walked.map((w) =>
    w.type === 'symlink'
      ? { kind: 'symlink', dest: posix.join(destDir, w.rel), target: w.target }
      : { kind: 'file', dest: posix.join(destDir, w.rel), src: join(srcDir, w.rel), mode: w.mode },
  );
}

/** Build output that is not needed at run time (types, build info). */
const RUNTIME_UNNEEDED = /(\.tsbuildinfo|\.d\.ts|\.d\.ts\.map)$/;

/**
 * The data directories a workspace package publishes besides dist/ (its package.json `files`,
 * such as @sdnode/config's `schema`), which its code reads at run time. Documents are left out.
 */
function publishedDataDirs(srcDir) {
  const files = JSON.parse(readFileSync(join(srcDir, 'package.json'), 'utf8')).files;
  if (!Array.isArray(files)) return [];
  return files.filter((f) => typeof f === 'string' && f !== 'dist' && !/\.md$/i.test(f) && !f.includes('*')).map((f) => f.replace(/\/+$/, ''));
}

/** A built workspace package: package.json, dist/ (no types, no build info) and its published data directories. */
function workspaceEntries(repoRoot, relDir) {
  const srcDir = join(repoRoot, relDir);
  const destDir = posix.join(APP_ROOT, relDir);
  if (!existsSync(join(srcDir, 'dist'))) {
    throw new ImageInputError(`${relDir}/dist is missing: build the workspace first (npm run build)`);
  }
  const data = publishedDataDirs(srcDir);
  const walked = walk(srcDir, (rel, isDir) => {
    if (rel === 'package.json') return false;
    if (rel === 'dist' || rel.startsWith('dist/')) return !isDir && RUNTIME_UNNEEDED.test(rel);
    if (data.some((d) => rel === d || rel.startsWith(`${d}/`))) return false;
    return true;
  });
  return entriesFor(srcDir, destDir, walked);
}

/** An installed npm package, without its nested node_modules (listed separately). */
function packageEntries(repoRoot, key) {
  const srcDir = join(repoRoot, key);
  const destDir = posix.join(APP_ROOT, key);
  const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const prune = PRUNE[name] ?? (() => false);
  const walked = walk(srcDir, (rel, isDir) => (isDir && rel === 'node_modules') || prune(isDir ? `${rel}/` : rel));
  return entriesFor(srcDir, destDir, walked);
}

/**
 * Plan entries for /app: root package.json, the entry workspace and the
 * workspaces and installed packages it needs in production.
 * @param {string} repoRoot
 * @param {string} entryWorkspace e.g. "apps/sdnode"
 * @returns {{ entries: object[], packages: string[] }}
 */
export function appEntries(repoRoot, entryWorkspace) {
  const lockPath = join(repoRoot, 'package-lock.json');
  if (!existsSync(lockPath)) throw new ImageInputError(`${lockPath} is missing`);
  const closure = productionClosure(repoRoot, JSON.parse(readFileSync(lockPath, 'utf8')), entryWorkspace);

  const entries = [
    { kind: 'file', dest: `${APP_ROOT}/package.json`, src: join(repoRoot, 'package.json'), mode: 0o644 },
  ];
  for (const { key, resolved } of closure.links) {
    const dest = posix.join(APP_ROOT, key);
    entries.push({ kind: 'symlink', dest, target: posix.relative(posix.dirname(dest), posix.join(APP_ROOT, resolved)) });
  }
  for (const relDir of closure.workspaces) entries.push(...workspaceEntries(repoRoot, relDir));
  for (const key of closure.installed) entries.push(...packageEntries(repoRoot, key));
  // Standalone scripts for image smoke tests (plain .mjs, no build step).
  const fixtures = join(repoRoot, FIXTURES_DIR);
  if (existsSync(fixtures)) {
    const walked = walk(fixtures, (rel, isDir) => !isDir && !rel.endsWith('.mjs'));
    entries.push(...entriesFor(fixtures, posix.join(APP_ROOT, FIXTURES_DIR), walked));
  }
  return {
    entries,
    packages: [...closure.workspaces, ...closure.installed],
  };
}
