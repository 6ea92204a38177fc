// The production dependency closure of some packages of a project, from its npm lockfile: the
// installed packages reachable through dependencies, optionalDependencies and peerDependencies
// that are not optional, resolved the way Node resolves them (nearest node_modules up the tree).
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ImageInputError } from './image-errors.js';

/** One entry of package-lock.json's "packages" (only what the closure reads). */
export interface LockPackage {
  readonly name?: string;
  readonly version?: string;
  readonly resolved?: string;
  readonly link?: boolean;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly workspaces?: readonly string[];
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { optional?: boolean } | undefined>>;
}

export interface Lockfile {
  readonly packages?: Readonly<Record<string, LockPackage>>;
}

export interface Closure {
  /** Project directories to ship whole (workspaces, the project itself: keys without node_modules/). */
  readonly workspaces: string[];
  /** node_modules keys to copy. */
  readonly installed: string[];
  /** node_modules keys that are symlinks to workspaces. */
  readonly links: { key: string; resolved: string }[];
}

/** Lockfile key that `name` resolves to when required from package `fromKey`. */
export function resolveKey(packages: Readonly<Record<string, LockPackage>>, fromKey: string, name: string): string | undefined {
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
 * @param root the project directory (where the lockfile is)
 * @param entries lockfile keys to start from: a workspace (`apps/sdnode`) or an installed
 *   package (`node_modules/sdnode`)
 */
export function productionClosure(root: string, lock: Lockfile, entries: readonly string[]): Closure {
  const packages = lock.packages;
  if (!packages) throw new ImageInputError('package-lock.json has no "packages" (lockfileVersion >= 2 needed)');
  for (const entry of entries) {
    if (!packages[entry]) throw new ImageInputError(`package-lock.json does not list ${entry.includes('node_modules/') ? 'package' : 'workspace'} ${entry}`);
  }
  const workspaces = new Set<string>();
  const installed = new Set<string>();
  const links = new Map<string, string>();
  const queue = [...entries];
  const visited = new Set<string>();

  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    if (visited.has(key)) continue;
    visited.add(key);
    const meta = packages[key] ?? {};
    if (key.includes('node_modules/')) {
      if (!existsSync(join(root, key))) throw new ImageInputError(`${key} is in package-lock.json but not installed: run npm ci (or npm install)`);
      installed.add(key);
    } else {
      workspaces.add(key);
    }
    const optionalPeers = new Set(
      Object.entries(meta.peerDependenciesMeta ?? {})
        .filter(([, m]) => m?.optional === true)
        .map(([n]) => n),
    );
    const wanted = [
      ...Object.keys(meta.dependencies ?? {}).map((n) => ({ n, optional: false })),
      ...Object.keys(meta.optionalDependencies ?? {}).map((n) => ({ n, optional: true })),
      // An optional peer is for the user's side (the harness's testcontainers and vitest): never shipped.
      ...Object.keys(meta.peerDependencies ?? {})
        .filter((n) => !optionalPeers.has(n))
        .map((n) => ({ n, optional: false })),
    ];
    for (const { n, optional } of wanted) {
      const depKey = resolveKey(packages, key, n);
      const depMeta = depKey === undefined ? undefined : packages[depKey];
      const present = depKey !== undefined && depMeta !== undefined && (depMeta.link === true || existsSync(join(root, depKey)));
      if (!present) {
        if (optional || depMeta?.optional === true) continue; // e.g. another platform's prebuilt
        throw new ImageInputError(`${key === '' ? 'the project' : key} needs ${n}, which is not installed: run npm ci (or npm install)`);
      }
      if (depMeta.link === true && depMeta.resolved !== undefined) {
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
