import { createHash } from 'node:crypto';

/**
 * Which change of a group a definition is: a counter that grows with every agreed change, and
 * who made it (the proposer's name and creation, or `config:<digest>` for a definition read from
 * the cluster file). Versions are totally ordered: counter, then `by`; the greater wins everywhere.
 */
export interface GroupVersion {
  readonly n: number;
  readonly by: string;
}

/** One s_group as a node knows it. A deleted group is kept as a tombstone with its version. */
export interface GroupDefinition {
  readonly name: string;
  /** Member node names, sorted. */
  readonly members: readonly string[];
  /** Where members listen, as far as the proposer knew (used to connect). */
  readonly addresses: Readonly<Record<string, string>>;
  readonly version: GroupVersion;
  readonly deleted: boolean;
}

export function compareVersions(a: GroupVersion, b: GroupVersion): number {
  if (a.n !== b.n) return a.n - b.n;
  return a.by < b.by ? -1 : a.by > b.by ? 1 : 0;
}

export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}

/** A group as the cluster file declares it: version 0, `by` a digest of its members (so two files that disagree differ). */
export function configDefinition(name: string, members: readonly string[], addresses: Readonly<Record<string, string>> = {}): GroupDefinition {
  const sorted = [...new Set(members)].sort();
  const digest = createHash('sha1').update(sorted.join(',')).digest('base64url').slice(0, 10);
  return { name, members: sorted, addresses: pick(addresses, sorted), version: { n: 0, by: `config:${digest}` }, deleted: false };
}

/** The next definition of a group: `members` after a change made by `by`. */
export function nextDefinition(
  current: GroupDefinition | undefined,
  name: string,
  members: readonly string[],
  by: string,
  addresses: Readonly<Record<string, string>>,
  deleted = false,
): GroupDefinition {
  const sorted = [...new Set(members)].sort();
  const merged = { ...(current?.addresses ?? {}), ...addresses };
  return { name, members: sorted, addresses: pick(merged, sorted), version: { n: (current?.version.n ?? 0) + 1, by }, deleted };
}

function pick(addresses: Readonly<Record<string, string>>, members: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of members) if (addresses[m] !== undefined) out[m] = addresses[m];
  return out;
}

/** The wire form of a definition: `[name, members, addresses, n, by, deleted]`. */
export type DefinitionWire = readonly [string, readonly string[], Readonly<Record<string, string>>, number, string, boolean];

export function definitionToWire(d: GroupDefinition): DefinitionWire {
  return [d.name, d.members, d.addresses, d.version.n, d.version.by, d.deleted];
}

const NAME = /^[^\s]{1,255}$/;

export function isValidGroupName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}

/** A decoded definition, checked field by field; undefined when malformed. */
export function definitionFromWire(value: unknown): GroupDefinition | undefined {
  if (!Array.isArray(value) || value.length !== 6) return undefined;
  const [name, members, addresses, n, by, deleted] = value as unknown[];
  if (!isValidGroupName(name) || !Array.isArray(members) || members.length > 100_000 || !members.every((m) => typeof m === 'string' && m.includes('@'))) return undefined;
  if (typeof addresses !== 'object' || addresses === null || Array.isArray(addresses)) return undefined;
  if (!Object.values(addresses).every((a) => typeof a === 'string')) return undefined;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || typeof by !== 'string' || by.length > 600 || typeof deleted !== 'boolean') return undefined;
  const sorted = [...(members as string[])].sort();
  return { name, members: sorted, addresses: addresses as Record<string, string>, version: { n, by }, deleted };
}
