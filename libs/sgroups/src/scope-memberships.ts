import type { MembershipSource } from '@sdnode/registry';
import { NodeNotFreeError, NotGroupMemberError } from '@sdnode/wire';
import type { GroupTable } from './group-table.js';

/** Listeners of membership changes, shared by the scope sources of one node. */
export class MembershipSignals {
  private readonly listeners = new Map<string | null, Set<() => void>>();

  add(key: string | null, listener: () => void): () => void {
    let set = this.listeners.get(key);
    if (set === undefined) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Group `group` changed: its scope's listeners, and the global scope's (kinds may have changed). */
  changed(group: string): void {
    for (const key of [group, null]) for (const l of [...(this.listeners.get(key) ?? [])]) l();
  }
}

/** The name space of one s_group: its members, as the agreed definition says. */
export class GroupScopeMembership implements MembershipSource {
  readonly kind = 'sgroup';

  constructor(
    private readonly table: GroupTable,
    private readonly group: string,
    private readonly signals: MembershipSignals,
  ) {}

  isMember(): boolean {
    return this.table.isMemberOf(this.group);
  }

  includes(node: string): boolean {
    return this.table.isMemberOf(this.group, node);
  }

  onChange(listener: () => void): () => void {
    return this.signals.add(this.group, listener);
  }

  refusal(): Error {
    return new NotGroupMemberError(this.group, this.table.self);
  }
}

/** The global name space with s_groups: the free visible nodes only (SD Erlang: an s_group node is not free). */
export class FreeScopeMembership implements MembershipSource {
  readonly kind = 'free_nodes';

  constructor(
    private readonly table: () => GroupTable,
    private readonly selfHidden: boolean,
    private readonly signals: MembershipSignals,
  ) {}

  isMember(): boolean {
    const t = this.table();
    return !this.selfHidden && !t.inSomeGroup(t.self);
  }

  includes(node: string, peer: { readonly hidden: boolean }): boolean {
    return !peer.hidden && !this.table().inSomeGroup(node);
  }

  onChange(listener: () => void): () => void {
    return this.signals.add(null, listener);
  }

  refusal(): Error {
    const t = this.table();
    return new NodeNotFreeError(t.self, t.own().map((d) => d.name));
  }
}
