import type { RegistryEntry } from './entry.js';
import type { ScopeCore } from './scope-core.js';
import type { ViewChange } from './scope-view.js';

/**
 * What a member sends when it installs a new view, before its VIEW report (docs/protocols/
 * registry.md, "Views"):
 * - replicated mode: to each new member, the entries of its own pids (HSYNC: each node is the
 *   authority on its pids, so every name reaches a newcomer once, from its home), and, as the
 *   previous owner of names another member now owns, those entries (the new owner must hold every
 *   decision of the previous owner before it decides: only homes spread decisions to everyone);
 * - partitioned mode: each entry to the nodes that hold it now and did not before (its home and
 *   every previous holder send; duplicates are ignored by id), then it drops what it no longer holds.
 * Entries of members that left are dropped first. Last, each new member is asked (VERIFY) which
 * of the registrations held here for its pids are gone: deletions it made while apart.
 */
export function syncOnViewChange(c: ScopeCore, change: ViewChange): void {
  for (const node of change.removed) {
    c.applyChanges(c.table.removeNode(node, c.events.size > 0), 'nodedown');
    c.cache.dropNode(node);
  }
  if (c.partitioned) syncPartitioned(c, change);
  else syncReplicated(c, change);
  // What this node holds of a new member's pids may be stale (it missed deletions while apart).
  for (const peer of change.added) c.sendVerify(peer);
}

function syncReplicated(c: ScopeCore, change: ViewChange): void {
  const local: RegistryEntry[] = [];
  const handoff = new Map<string, RegistryEntry[]>();
  const wasAlone = change.previous.members.length === 1;
  for (const e of c.table.allEntries()) {
    if (c.isLocal(e.pid)) local.push(e);
    if (wasAlone && change.added.length === 0) continue;
    const owner = change.current.owner(e.name);
    if (owner !== c.self && change.previous.owner(e.name) === c.self) push(handoff, owner, e);
  }
  for (const peer of change.added) c.sendEntries(peer, local, 'hsync');
  for (const [peer, moved] of handoff) c.sendEntries(peer, moved);
}

function syncPartitioned(c: ScopeCore, change: ViewChange): void {
  const k = c.settings.replicas;
  const out = new Map<string, RegistryEntry[]>();
  const home = new Map<string, RegistryEntry[]>();
  const added = new Set(change.added);
  const dropped: string[] = [];
  for (const e of c.table.allEntries()) {
    const now = change.current.holders(e.name, k);
    const before = change.previous.holders(e.name, k);
    const heldBefore = before.includes(c.self);
    for (const h of now) {
      if (h === c.self) continue;
      // A home tells each node that holds its pid's entry now and did not before (a new member,
      // or a member the ring moved the name to: the home may not have been a holder, and the
      // holders may have installed this view before its SET reached them); a previous holder
      // hands the entry to new holders.
      if (c.isLocal(e.pid) && (added.has(h) || !before.includes(h))) push(home, h, e);
      else if (heldBefore && !before.includes(h)) push(out, h, e);
    }
    if (!now.includes(c.self) && !c.isLocal(e.pid)) dropped.push(e.id);
  }
  for (const [peer, entries] of home) c.sendEntries(peer, entries, 'hsync');
  for (const [peer, entries] of out) c.sendEntries(peer, entries);
  const drop = new Set(dropped);
  if (drop.size > 0) c.table.removeWhere((e) => drop.has(e.id), false);
  c.cache.clear();
  c.cachers.clear();
}

function push(map: Map<string, RegistryEntry[]>, key: string, e: RegistryEntry): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [e]);
  else list.push(e);
}
