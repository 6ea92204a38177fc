import type { Scope } from '@sdnode/registry';
import { FrameTally, REGISTRY, SGROUPS, type Counts } from './frame-tally.js';
import { seededRandom } from './link-model.js';
import { Holder, type SimNode } from './sim-node.js';
import type { SimCluster, SettleMode } from './sim-cluster.js';

/** What one phase of a scenario cost: frames and ops sent (by key), handshakes, virtual time. */
export interface PhaseCost {
  readonly frames: number;
  /** Registry and s_group ops and NODES frames: the protocol messages, whatever the batching. */
  readonly messages: number;
  readonly handshakes: number;
  readonly virtualMs: number;
  readonly counts: Counts;
}

/** Protocol messages in a count: NODES frames plus the ops of the registry and s_groups. */
export function protocolMessages(counts: Counts): number {
  let n = counts['nodes'] ?? 0;
  for (const [k, v] of Object.entries(counts)) if (k.startsWith(`op:${REGISTRY}:`) || k.startsWith(`op:${SGROUPS}:`)) n += v;
  return n;
}

/** Run `fn` and return what the cluster sent meanwhile. */
export async function phase(c: SimCluster, fn: () => Promise<void>): Promise<PhaseCost> {
  const before = c.tally.snapshot();
  const handshakes = c.backend.handshakeMessages();
  const t0 = c.clock.now;
  await fn();
  const counts = FrameTally.diff(c.tally.snapshot(), before);
  return {
    frames: FrameTally.frames(counts),
    messages: protocolMessages(counts),
    handshakes: c.backend.handshakeMessages() - handshakes,
    virtualMs: c.clock.now - t0,
    counts,
  };
}

/** The scope a node registers in: its first own group's (s_groups), else the global scope. */
export function scopeOf(n: SimNode): Scope {
  const own = n.sgroups.ownGroups().map((g) => g.name).sort();
  if (own.length > 0) return n.sgroups.scope(own[0]!)!;
  return n.registry.global;
}

/**
 * `count` registrations, one after the other, each of a fresh local process on a node picked by
 * the seeded generator, in that node's scope; then the cluster settles. Per registration: the
 * frames and protocol messages the whole cluster sent.
 */
export async function registrations(c: SimCluster, count: number, seed: number, settle: SettleMode): Promise<PhaseCost & { readonly failed: number }> {
  const random = seededRandom(seed);
  let failed = 0;
  const cost = await phase(c, async () => {
    for (let i = 0; i < count; i++) {
      const n = c.nodes[Math.floor(random() * c.nodes.length)]!;
      const pid = n.node.spawn(Holder);
      const r = await c.clock.until(scopeOf(n).register(`sim.name.${seed}.${i}`, pid));
      if (!r.ok) failed++;
    }
    await c.settle(settle);
  });
  return { ...cost, failed };
}

/**
 * One membership change. s_groups: a fresh node (free, knowing the cluster file's groups) is added
 * to group `g0` by a member (agreed: PROPOSE, VOTE, COMMIT, then INFO gossip, connections and the
 * group's registry scope). Free nodes: a fresh node joins the mesh through its seed (NODES gossip,
 * connections to every node, the global scope's views). The fresh node's own start is not counted.
 */
export async function membershipChange(c: SimCluster, name: string, settle: SettleMode): Promise<PhaseCost & { readonly ok: boolean }> {
  const groups = c.options.groups;
  if (groups === null) {
    await c.settle(settle);
    let joined: SimNode | null = null;
    const cost = await phase(c, async () => {
      joined = await c.addNode(name);
      await c.settle(settle);
    });
    const size = c.nodes.length;
    return { ...cost, ok: joined !== null && (joined as SimNode).node.nodes().length === size - 1 };
  }
  const fresh = await c.addNode(name, c.nodes.length);
  await c.settle(settle);
  const group = Object.keys(groups).sort()[0]!;
  const proposer = c.node(groups[group]![0]!);
  let ok = false;
  const cost = await phase(c, async () => {
    const r = await c.clock.until(proposer.sgroups.addNodes(group, [name]));
    ok = r.definition.members.includes(name) && r.notJoined.length === 0;
    await c.settle(settle);
  });
  return { ...cost, ok: ok && fresh.sgroups.ownGroups().some((g) => g.name === group) };
}
