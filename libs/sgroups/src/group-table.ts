import { compareVersions, sameMembers, type GroupDefinition } from './group-definition.js';

/** What adopting a definition changed on this node. */
export interface TableChange {
  readonly group: string;
  readonly before: GroupDefinition | undefined;
  readonly after: GroupDefinition;
  /** This node's own groups changed (it joined or left this group, or the group's members changed). */
  readonly ownChanged: boolean;
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
 * The s_group definitions one node knows (its own groups, groups it heard of, deleted groups as
 * tombstones), merged by version: a definition replaces the known one only when it is newer.
 * Node kinds follow from it: a node is an s_group node when a known group lists it, else free.
 */
export class GroupTable {
  private readonly defs = new Map<string, GroupDefinition>();
  readonly superseded: Superseded[] = [];

  constructor(readonly self: string) {}

  get(group: string): GroupDefinition | undefined {
    return this.defs.get(group);
  }

  /** Known groups that are not deleted. */
  live(): GroupDefinition[] {
    return [...this.defs.values()].filter((d) => !d.deleted);
  }

  all(): GroupDefinition[] {
    return [...this.defs.values()];
  }

  /** This node's groups. */
  own(): GroupDefinition[] {
    return this.live().filter((d) => d.members.includes(this.self));
  }

  isMemberOf(group: string, node = this.self): boolean {
    const d = this.defs.get(group);
    return d !== undefined && !d.deleted && d.members.includes(node);
  }

  /** Is `node` in any known live group? */
  inSomeGroup(node: string): boolean {
    for (const d of this.defs.values()) if (!d.deleted && d.members.includes(node)) return true;
    return false;
  }

  /** Do the two nodes share a live group? */
  share(a: string, b: string): boolean {
    for (const d of this.defs.values()) if (!d.deleted && d.members.includes(a) && d.members.includes(b)) return true;
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
    const before = this.defs.get(def.name);
    if (before !== undefined) {
      const order = compareVersions(def.version, before.version);
      if (order <= 0) {
        if (order < 0 && def.version.n === before.version.n) this.noteSuperseded(before, def);
        return null;
      }
      if (def.version.n === before.version.n) this.noteSuperseded(def, before);
    }
    this.defs.set(def.name, def);
    const wasMine = before !== undefined && !before.deleted && before.members.includes(this.self);
    const isMine = !def.deleted && def.members.includes(this.self);
    const ownChanged = wasMine !== isMine || (isMine && (before === undefined || !sameMembers(before.members, def.members)));
    return { group: def.name, before, after: def, ownChanged };
  }

  private noteSuperseded(kept: GroupDefinition, dropped: GroupDefinition): void {
    if (sameMembers(kept.members, dropped.members) && kept.deleted === dropped.deleted) return;
    const configMismatch = kept.version.by.startsWith('config:') && dropped.version.by.startsWith('config:');
    this.superseded.push({ group: kept.name, kept, dropped, configMismatch });
    if (this.superseded.length > 100) this.superseded.shift();
  }
}
