// Pack every publishable package of the workspace (`npm pack`), as a user would get it from
// the registry: the tarball holds only the package's `files`, its dependencies are declared,
// nothing of the repository around it comes along.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when a package cannot be packed (not built, npm pack failed). */
export class PackError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PackError';
  }
}

/**
 * The workspace packages a user can install: libs/* and apps/* that are not private.
 * @param {string} repoRoot
 * @returns {{ dir: string, name: string, version: string, bin: boolean }[]}
 */
export function publishablePackages(repoRoot) {
  const out = [];
  for (const group of ['libs', 'apps']) {
    for (const name of readdirSync(join(repoRoot, group)).sort()) {
      const manifest = join(repoRoot, group, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      if (pkg.private === true) continue;
      out.push({ dir: `${group}/${name}`, name: pkg.name, version: pkg.version, bin: pkg.bin !== undefined });
    }
  }
  return out;
}

/**
 * `npm pack` each package into `destDir`; returns name -> tarball path. The packages must be
 * built (their `dist` is what ships).
 * @param {string} repoRoot
 * @param {string} destDir
 */
export function packAll(repoRoot, destDir) {
  mkdirSync(destDir, { recursive: true });
  const tarballs = new Map();
  for (const p of publishablePackages(repoRoot)) {
    if (!existsSync(join(repoRoot, p.dir, 'dist'))) throw new PackError(`${p.dir}/dist is missing: build first (npm run build)`);
    let out;
    try {
      out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destDir], {
        cwd: join(repoRoot, p.dir),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      });
    } catch (error) {
      throw new PackError(`npm pack of ${p.name} failed: ${error.stderr ?? error.message}`);
    }
    const [info] = JSON.parse(out);
    const files = info.files.map((f) => f.path);
    if (!files.some((f) => f.startsWith('dist/'))) throw new PackError(`${p.name}: the tarball has no dist/ (files: ${files.join(', ')})`);
    if (files.some((f) => f.endsWith('.spec.js') || f.startsWith('src/'))) throw new PackError(`${p.name}: the tarball ships sources or specs`);
    tarballs.set(p.name, join(destDir, info.filename));
  }
  return tarballs;
}
