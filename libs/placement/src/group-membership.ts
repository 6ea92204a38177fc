import type { SGroups } from '@sdnode/sgroups';
import type { GroupSource } from './filters.js';

/**
 * The s_group constraint's view of groups: every live group this node knows (its own and those it
 * heard of), rebuilt into member sets when a definition is adopted. Without s_groups, no node is in
 * any group, so a spec with `group` chooses nothing (and explain says why).
 */
export class SGroupMembership implements GroupSource {
  private members = new Map<string, ReadonlySet<string>>();
  private readonly off: () => void;
  version = 0;

  constructor(private readonly sgroups: SGroups) {
    this.rebuild();
    this.off = sgroups.onChange(() => this.rebuild());
  }

  isMember(group: string, node: string): boolean {
    return this.members.get(group)?.has(node) === true;
  }

  groups(): string[] {
    return [...this.members.keys()].sort();
  }

  stop(): void {
    this.off();
  }

  private rebuild(): void {
    this.members = new Map(this.sgroups.groups().map((d) => [d.name, new Set(d.members)]));
    this.version++;
  }
}
