import type { ClusterGroups } from './cluster-groups.js';
import { compareVersions, sameMembers, type GroupDefinition } from './group-definition.js';

/** What adopting a definition changed on this node. */
export interface TableChange {
  readonly group: string;
  readonly before: GroupDefinition | undefined;
  readonly after: GroupDefinition;
  /** This node's own groups changed (it joined or left this group, or the group's members changed). */
  readonly ownChanged: boolean;
  /** The nodes whose kind changed here (in some group now and not before, or the reverse). */
  readonly kindChanged: readonly string[];
}

/** Two definitions of one group with the same counter made by different nodes (or files): one was dropped. */
export interface Superseded {
  readonly group: string;
  readonly kept: GroupDefinition;
  readonly dropped: GroupDefinition;
  /** Both came from cluster files that disagree. */
  readonly configMismatch: boolean;
}

/**
 * The s_group definitions one node knows (its own groups, the groups of the peers it met, deleted
 * groups as tombstones, and the cluster file's groups, consulted in the file until a newer
 * definition replaces them), merged by version: a definition replaces the known one only when it
 * is newer. Node kinds follow from it: a node is an s_group node when a known group lists it,
 * else free. What it holds depends on the node's groups and its peers', not on the cluster.
 */
export class GroupTable {
  private readonly defs = new Map<string, GroupDefinition>();
  /** node -> the live groups that list it (kinds, shared groups and INFO contents without a scan of every definition). */
  private readonly byNode = new Map<string, Set<string>>();
  readonly superseded: Superseded[] = [];
  /** The cluster file's groups this node is not in, consulted until a newer definition is held (see useCluster). */
  private cluster: ClusterGroups | null = null;

  constructor(readonly self: string) {}

  /**
   * Fall back on the cluster file's groups for the groups this table holds no definition of: they
   * count as known (version 0) without being copied here. Set once, after the node adopted the
   * file's groups that list it.
   */
  useCluster(cluster: ClusterGroups): void {
    this.cluster = cluster;
  }

  get(group: string): GroupDefinition | undefined {
    return this.defs.get(group) ?? this.cluster?.get(group);
  }

  /** Definitions held here (learnt or changed), the cluster file's fallback excluded. */
  get size(): number {
    return this.defs.size;
  }

  /** Known groups that are not deleted. */
  live(): GroupDefinition[] {
    return this.all().filter((d) => !d.deleted);
  }

  /** Every group known here (held, and the cluster file's others), by name. */
  all(): GroupDefinition[] {
    const out = [...this.defs.values()];
    for (const d of this.cluster?.all() ?? []) if (!this.defs.has(d.name)) out.push(d);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The file's groups that list `node` and that no held definition replaced. */
  private fileGroupsOf(node: string): string[] {
    return (this.cluster?.groupsOf(node) ?? []).filter((g) => !this.defs.has(g));
  }

  /** Names of the live groups that list `node`. */
  private groupsOf(node: string): Set<string> {
    const out = new Set(this.byNode.get(node) ?? []);
    for (const g of this.fileGroupsOf(node)) out.add(g);
    return out;
  }

  /** This node's groups. */
  own(): GroupDefinition[] {
    return this.listing(this.self);
  }

  /** The live definitions that list `node`, by group name. */
  listing(node: string): GroupDefinition[] {
    return [...this.groupsOf(node)].sort().map((g) => this.get(g)!);
  }

  /**
   * The live definitions that list `a` or `b`: what a full INFO from `a` to `b` carries
   * (docs/protocols/sgroups.md, "Meeting").
   */
  concerning(a: string, b: string): GroupDefinition[] {
    const names = new Set([...this.groupsOf(a), ...this.groupsOf(b)]);
    return [...names].sort().map((g) => this.get(g)!);
  }

  isMemberOf(group: string, node = this.self): boolean {
    const d = this.get(group);
    return d !== undefined && !d.deleted && d.members.includes(node);
  }

  /** Is `node` in any known live group? */
  inSomeGroup(node: string): boolean {
    return (this.byNode.get(node)?.size ?? 0) > 0 || this.fileGroupsOf(node).length > 0;
  }

  /** Do the two nodes share a live group? */
  share(a: string, b: string): boolean {
    const bs = this.groupsOf(b);
    if (bs.size === 0) return false;
    for (const g of this.groupsOf(a)) if (bs.has(g)) return true;
    return false;
  }

  /** Members of this node's groups (itself excluded), sorted. */
  ownNodes(group?: string): string[] {
    const out = new Set<string>();
    for (const d of this.own()) if (group === undefined || d.name === group) for (const m of d.members) if (m !== this.self) out.add(m);
    return [...out].sort();
  }

  /**
   * Adopt `def` if it is newer than the known definition. Returns the change, or null when the
   * known one is as new or newer (equal versions are the same change).
   */
  adopt(def: GroupDefinition): TableChange | null {
    const before = this.get(def.name);
    if (before !== undefined) {
      const order = compareVersions(def.version, before.version);
      if (order <= 0) {
        if (order < 0 && def.version.n === before.version.n) this.noteSuperseded(before, def);
        return null;
      }
      if (def.version.n === before.version.n) this.noteSuperseded(def, before);
    }
    const touched = new Set([...(before?.deleted === false ? before.members : []), ...(def.deleted ? [] : def.members)]);
    const kindBefore = new Map([...touched].map((m) => [m, this.inSomeGroup(m)] as const));
    this.index(this.defs.get(def.name), def);
    this.defs.set(def.name, def);
    const kindChanged = [...touched].filter((m) => this.inSomeGroup(m) !== kindBefore.get(m));
    const wasMine = before !== undefined && !before.deleted && before.members.includes(this.self);
    const isMine = !def.deleted && def.members.includes(this.self);
    const ownChanged = wasMine !== isMine || (isMine && (before === undefined || !sameMembers(before.members, def.members)));
    return { group: def.name, before, after: def, ownChanged, kindChanged };
  }

  /** Move the group's entries in `byNode` from `before`'s members (a held definition) to `after`'s. */
  private index(before: GroupDefinition | undefined, after: GroupDefinition): void {
    if (before !== undefined && !before.deleted) {
      for (const m of before.members) {
        const gs = this.byNode.get(m);
        gs?.delete(before.name);
        if (gs?.size === 0) this.byNode.delete(m);
      }
    }
    if (after.deleted) return;
    for (const m of after.members) {
      let gs = this.byNode.get(m);
      if (gs === undefined) this.byNode.set(m, (gs = new Set()));
      gs.add(after.name);
    }
  }

  private noteSuperseded(kept: GroupDefinition, dropped: GroupDefinition): void {
    if (sameMembers(kept.members, dropped.members) && kept.deleted === dropped.deleted) return;
    const configMismatch = kept.version.by.startsWith('config:') && dropped.version.by.startsWith('config:');
    this.superseded.push({ group: kept.name, kept, dropped, configMismatch });
    if (this.superseded.length > 100) this.superseded.shift();
  }
}
