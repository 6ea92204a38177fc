/**
 * Who may be a member of a scope besides this node. The scope admits a connected peer that the
 * source includes once the peer's scope has said HELLO; when the source changes (an s_group
 * gained or lost members), the scope re-evaluates its peers.
 */
export interface MembershipSource {
  /** For info and logs: `free_nodes`, `fixed`, `sgroup`. */
  readonly kind: string;
  /** Is this node itself a member (may it write to the scope)? */
  isMember(): boolean;
  /** May the connected peer `node` be a member? */
  includes(node: string, peer: { readonly hidden: boolean }): boolean;
  /** Subscribe to changes of the membership; returns the unsubscribe function. */
  onChange?(listener: () => void): () => void;
  /** The error a write from this node gets when it is not a member (default NotAMemberError). */
  refusal?(): Error;
}

/**
 * The global scope: this node and every visible node it is connected to (classic distributed
 * Erlang's global name space, over the free nodes' transitive mesh). Hidden nodes are not members.
 */
export class FreeNodesMembership implements MembershipSource {
  readonly kind = 'free_nodes';

  constructor(private readonly selfHidden: boolean) {}

  isMember(): boolean {
    return !this.selfHidden;
  }

  includes(_node: string, peer: { readonly hidden: boolean }): boolean {
    return !peer.hidden;
  }
}

/** A fixed list of member nodes (tests, static scopes). */
export class FixedMembership implements MembershipSource {
  readonly kind = 'fixed';
  private readonly members: ReadonlySet<string>;

  constructor(
    private readonly self: string,
    members: readonly string[],
  ) {
    this.members = new Set(members);
  }

  isMember(): boolean {
    return this.members.has(this.self);
  }

  includes(node: string): boolean {
    return this.members.has(node);
  }
}
