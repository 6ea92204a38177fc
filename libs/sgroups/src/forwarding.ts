import type { GroupDefinition } from './group-definition.js';
import type { TableChange } from './group-table.js';

/**
 * How a node came by a definition it adopts, and so who already holds it
 * (docs/protocols/sgroups.md, "Adopting a definition"):
 * - `config`: the cluster file at start (the full INFO sent at every connection carries it);
 * - `change`: this node proposed it and sent COMMIT to `holders` (the yes voters);
 * - `commit`: a COMMIT from proposer `from`, which says which members it could not commit to
 *   (`missed`; undefined from a version 2 peer, which does not say);
 * - `info`: an INFO from `from`; `vote`: a VOTE(no) from `from` carrying a newer definition.
 */
export type DefinitionSource =
  | { readonly via: 'config' }
  | { readonly via: 'change'; readonly holders: readonly string[] }
  | { readonly via: 'commit'; readonly from: string; readonly missed: readonly string[] | undefined }
  | { readonly via: 'info' | 'vote'; readonly from: string };

/** What a node sends after adopting a definition: a partial INFO with it, and full INFOs. */
export interface ForwardPlan {
  /** Members of the group (old or new) that may have missed it: a partial INFO with the definition. */
  readonly partial: readonly string[];
  /** This node joined or left the group: every connected visible peer meets it again (full INFO). */
  readonly full: readonly string[];
}

export interface ForwardInput {
  readonly self: string;
  readonly change: TableChange;
  readonly source: DefinitionSource;
  /** Connected visible peers (hidden ones get no INFO). */
  readonly peers: readonly string[];
}

const membersOf = (d: GroupDefinition | undefined): readonly string[] => (d === undefined || d.deleted ? [] : d.members);

/**
 * Who gets the adopted definition (docs/protocols/sgroups.md, "Adopting a definition").
 * - Only a member of the group (before or after the change) forwards it, and only to the group's
 *   members (before or after) that may not hold it: those the proposer says it missed (a COMMIT),
 *   everyone but the sender (an INFO, a VOTE), nobody (its own change: it committed to everyone
 *   it reached; the cluster file: the meeting INFO carries it). Nodes outside the group get nothing.
 * - Except when this node joined or left the group: then every connected peer must learn its
 *   membership again (whether it is free decides a free peer's visible list and NODES gossip,
 *   and a peer may hold an older definition of another group that still lists this node), so
 *   each gets a full INFO, as at a meeting; that INFO carries this definition too.
 * Cost: O(members of the group) messages per adopting member, independent of the cluster size;
 * a joining or leaving node adds one INFO per connection it has (its groups' members).
 */
export function forwardPlan(input: ForwardInput): ForwardPlan {
  const { self, change, source, peers } = input;
  if (source.via === 'config') return { partial: [], full: [] };
  const before = membersOf(change.before);
  const after = membersOf(change.after);
  if (before.includes(self) !== after.includes(self)) return { partial: [], full: [...peers] };
  const group = new Set([...before, ...after]);
  if (!group.has(self) || source.via === 'change') return { partial: [], full: [] };
  const missed = source.via === 'commit' && source.missed !== undefined ? new Set(source.missed) : undefined;
  return { partial: peers.filter((p) => p !== self && p !== source.from && group.has(p) && (missed === undefined || missed.has(p))), full: [] };
}
