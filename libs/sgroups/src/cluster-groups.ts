import { configDefinition, type GroupDefinition } from './group-definition.js';

/**
 * The s_groups of a cluster file, read once and never changed: each group's definition (version
 * 0, see configDefinition) and, per node, the groups that list it. A node adopts the file's groups
 * that list it; the others it consults here (its GroupTable falls back to them) until it learns a
 * newer definition, instead of copying every group of the file into its own table. One instance
 * may serve every node of a process (the simulator shares one among thousands of nodes).
 */
export class ClusterGroups {
  private readonly defs = new Map<string, GroupDefinition>();
  private readonly byNode = new Map<string, string[]>();

  constructor(groups: Readonly<Record<string, readonly string[]>> = {}, addresses: Readonly<Record<string, string>> = {}) {
    for (const [name, members] of Object.entries(groups)) {
      const d = configDefinition(name, members, addresses);
      this.defs.set(name, d);
      for (const m of d.members) {
        const gs = this.byNode.get(m);
        if (gs === undefined) this.byNode.set(m, [name]);
        else gs.push(name);
      }
    }
  }

  get(group: string): GroupDefinition | undefined {
    return this.defs.get(group);
  }

  /** The file's groups that list `node`. */
  groupsOf(node: string): readonly string[] {
    return this.byNode.get(node) ?? [];
  }

  all(): IterableIterator<GroupDefinition> {
    return this.defs.values();
  }
}
