/**
 * The sections that name nodes (`sgroups`, `applications`): resolving each reference (a full
 * `name@host` or a bare name that must match exactly one node) and checking for unknown nodes,
 * ambiguous short names and nodes listed twice.
 */
import { CONFIG_DEFAULTS, type ApplicationConfig, type NodeConfig } from './cluster-config.js';
import type { PathProblem, PathSegment } from './source-document.js';
import { asArray, asObject, asString, parseDuration, shortName, type RawObject } from './values.js';

/** Looks node references up among the configured nodes. */
export class NodeDirectory {
  private readonly full = new Set<string>();
  private readonly byShort = new Map<string, string[]>();

  constructor(nodes: readonly NodeConfig[]) {
    for (const node of nodes) {
      this.full.add(node.name);
      const short = shortName(node.name);
      const same = this.byShort.get(short) ?? [];
      if (!same.includes(node.name)) this.byShort.set(short, [...same, node.name]);
    }
  }

  /** The full name `ref` stands for, or why it stands for none. */
  resolve(ref: string): { readonly name: string } | { readonly error: string } {
    if (ref.includes('@')) {
      return this.full.has(ref) ? { name: ref } : { error: `unknown node "${ref}"${this.known()}` };
    }
    const matches = this.byShort.get(ref) ?? [];
    if (matches.length === 1) return { name: matches[0] as string };
    if (matches.length === 0) return { error: `unknown node "${ref}"${this.known()}` };
    return { error: `"${ref}" is ambiguous: it could be ${matches.join(' or ')}; use the full name` };
  }

  private known(): string {
    const names = [...this.full];
    if (names.length === 0) return '';
    const shown = names.slice(0, 8).join(', ');
    return ` (nodes: ${shown}${names.length > 8 ? `, and ${names.length - 8} more` : ''})`;
  }
}

/** `sgroups`: group name -> full names of its members. */
export function resolveSgroups(root: RawObject, directory: NodeDirectory, problems: PathProblem[]): Record<string, string[]> {
  const groups: [string, string[]][] = [];
  for (const [group, members] of Object.entries(asObject(root['sgroups']) ?? {})) {
    const seen = new Set<string>();
    const resolved: string[] = [];
    groups.push([group, resolved]);
    (asArray(members) ?? []).forEach((ref, i) => {
      const name = resolveRef(ref, ['sgroups', group, i], directory, problems);
      if (name === undefined) return;
      if (seen.has(name)) {
        problems.push({ path: ['sgroups', group, i], message: `${name} is listed twice in s_group ${group}` });
        return;
      }
      seen.add(name);
      resolved.push(name);
    });
  }
  return Object.fromEntries(groups);
}

/** `applications`: each with its priority levels of full node names. */
export function resolveApplications(root: RawObject, directory: NodeDirectory, problems: PathProblem[]): ApplicationConfig[] {
  const apps: ApplicationConfig[] = [];
  const names = new Map<string, number>();
  (asArray(root['applications']) ?? []).forEach((entry, index) => {
    const app = asObject(entry);
    const name = asString(app?.['name']);
    if (!app || name === undefined) return;
    const path: PathSegment[] = ['applications', index];
    const first = names.get(name);
    if (first !== undefined) {
      problems.push({ path: [...path, 'name'], message: `duplicate application ${name} (also at applications[${first}])` });
    } else {
      names.set(name, index);
    }
    const seen = new Set<string>();
    const levels: string[][] = [];
    (asArray(app['nodes']) ?? []).forEach((item, i) => {
      const refs: [unknown, PathSegment[]][] = Array.isArray(item)
        ? item.map((ref, j): [unknown, PathSegment[]] => [ref, [...path, 'nodes', i, j]])
        : [[item, [...path, 'nodes', i]]];
      const level: string[] = [];
      for (const [ref, refPath] of refs) {
        const node = resolveRef(ref, refPath, directory, problems);
        if (node === undefined) continue;
        if (seen.has(node)) {
          problems.push({ path: refPath, message: `${node} appears twice in the nodes of application ${name}` });
          continue;
        }
        seen.add(node);
        level.push(node);
      }
      if (level.length > 0) levels.push(level);
    });
    apps.push({ name, failoverTimeout: parseDuration(app['failoverTimeout']) ?? CONFIG_DEFAULTS.failoverTimeout, nodes: levels });
  });
  return apps;
}

function resolveRef(ref: unknown, path: PathSegment[], directory: NodeDirectory, problems: PathProblem[]): string | undefined {
  if (typeof ref !== 'string') return undefined; // the schema reported it
  const resolved = directory.resolve(ref);
  if ('error' in resolved) {
    problems.push({ path, message: resolved.error });
    return undefined;
  }
  return resolved.name;
}
