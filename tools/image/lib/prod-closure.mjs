// The production dependency closure of one workspace package, from
// package-lock.json: the installed packages reachable through dependencies,
// optionalDependencies and (non-optional) peerDependencies, resolved the way
// Node resolves them (nearest node_modules up the directory tree).
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Thrown when the checkout is not ready to be put in an image. */
export class ImageInputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ImageInputError';
  }
}

/** Lockfile key that `name` resolves to when required from package `fromKey`. */
function resolveKey(packages, fromKey, name) {
  let dir = fromKey;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const parent = posix.dirname(dir);
    dir = parent === '.' ? '' : parent;
  }
}

/**
 * @param {string} repoRoot
 * @param {Record<string, any>} lock parsed package-lock.json
 * @param {string} entryWorkspace e.g. "apps/sdnode"
 * @returns {{ workspaces: string[], installed: string[], links: { key: string, resolved: string }[] }}
 *   workspaces: workspace dirs to ship; installed: node_modules keys to copy;
 *   links: node_modules keys that are symlinks to workspaces.
 */
export function productionClosure(repoRoot, lock, entryWorkspace) {
  const packages = lock.packages;
  if (!packages) throw new ImageInputError('package-lock.json has no "packages" (lockfileVersion >= 2 needed)');
  if (!packages[entryWorkspace]) throw new ImageInputError(`package-lock.json does not list workspace ${entryWorkspace}`);

  const workspaces = new Set();
  const installed = new Set();
  const links = new Map();
  const queue = [entryWorkspace];
  const visited = new Set();

  while (queue.length > 0) {
    const key = queue.shift();
    if (visited.has(key)) continue;
    visited.add(key);
    const meta = packages[key];
    if (key.includes('node_modules/')) {
      if (!existsSync(join(repoRoot, key))) throw new ImageInputError(`${key} is in package-lock.json but not installed: run npm ci`);
      installed.add(key);
    } else {
      workspaces.add(key);
    }
    const optionalPeers = new Set(
      Object.entries(meta.peerDependenciesMeta ?? {})
        .filter(([, m]) => m?.optional)
        .map(([n]) => n),
    );
    const wanted = [
      ...Object.keys(meta.dependencies ?? {}).map((n) => ({ n, optional: false })),
      ...Object.keys(meta.optionalDependencies ?? {}).map((n) => ({ n, optional: true })),
      ...Object.keys(meta.peerDependencies ?? {}).map((n) => ({ n, optional: optionalPeers.has(n) })),
    ];
    for (const { n, optional } of wanted) {
      const depKey = resolveKey(packages, key, n);
      const depMeta = depKey ? packages[depKey] : undefined;
      const present = depKey !== undefined && (depMeta.link || existsSync(join(repoRoot, depKey)));
      if (!present) {
        if (optional || packages[depKey ?? '']?.optional) continue; // e.g. another platform's prebuilt
        throw new ImageInputError(`${key} needs ${n}, which is not installed: run npm ci`);
      }
      if (depMeta.link) {
        links.set(depKey, depMeta.resolved);
        queue.push(depMeta.resolved);
      } else {
        queue.push(depKey);
      }
    }
  }
  return {
    workspaces: [...workspaces].sort(),
    installed: [...installed].sort(),
    links: [...links.entries()].map(([key, resolved]) => ({ key, resolved })).sort((a, b) => a.key.localeCompare(b.key)),
  };
}
