import { createHash } from 'node:crypto';
import HashRing from 'hashring';
import { RingPoint } from './ring-point.js';

/** What the ring uses of hashring beyond its typed API: the continuum and its search. */
interface Continuum {
  readonly ring: ReadonlyArray<{ readonly server: string }>;
  find(hashValue: number): number;
}

/** The continuum of a built ring (hashring keeps it sorted by point). */
function continuumOf(ring: HashRing): Continuum {
  return ring as unknown as Continuum;
}

/**
 * The consistent hash ring of one scope view (hashring, ketama-compatible): a name's owner is its
 * point on the ring; in partitioned mode its holders are the owner and the next distinct nodes.
 * A join or a leave moves only the names between the changed node's points and their neighbours.
 */
export class Ring {
  /** Built on first use: a view change in a scope with no names (most s_group changes) never hashes. */
  private ringValue: HashRing | null | undefined = undefined;
  /**
   * No cache of owners or holders per name: a name's owner is asked once or twice per write on
   * each node, so a cache mostly missed, and a miss (a lookup and an insertion in a table of up
   * to 250 000 names) cost more than the in-place MD5 and the binary search it saved.
   */
  private readonly points = new RingPoint();

  constructor(readonly members: readonly string[]) {}

  private get ring(): HashRing | null {
    if (this.ringValue === undefined) this.ringValue = this.members.length > 1 ? new HashRing([...this.members], 'md5', { 'max cache size': 16 }) : null;
    return this.ringValue;
  }

  owner(name: string): string {
    const ring = this.ring;
    return ring === null ? (this.members[0] as string) : this.point(ring, name);
  }

  /**
   * The server of `name`'s point, as hashring's `get` finds it (ketama: the first four bytes of
   * the name's md5, little-endian), without its LRU cache (16 names, a set and an eviction per
   * new name) and with the md5 of a short name computed in place (RingPoint): the same owner.
   */
  private point(ring: HashRing, name: string): string {
    const c = continuumOf(ring);
    return c.ring[c.find(this.points.of(name))]!.server;
  }

  /** The owner and then up to `replicas` more distinct nodes (fewer when the view is smaller); a fresh array. */
  holders(name: string, replicas: number): readonly string[] {
    const ring = this.ring;
    if (ring === null) return this.members;
    if (replicas <= 0) return [this.point(ring, name)];
    return this.walk(ring, name, Math.min(replicas + 1, this.members.length));
  }

  /**
   * The first `count` distinct servers from `name`'s point on, round the continuum: what
   * hashring's `range(name, count, true)` returns, with the point from RingPoint (hashring's
   * `range` hashes every name with node:crypto, the largest cost of a partitioned holder's SET).
   */
  private walk(ring: HashRing, name: string, count: number): string[] {
    const c = continuumOf(ring);
    const points = c.ring;
    const start = c.find(this.points.of(name));
    const out: string[] = [];
    for (let i = 0; i < points.length && out.length < count; i++) {
      const server = points[(start + i) % points.length]!.server;
      if (!out.includes(server)) out.push(server);
    }
    return out;
  }

  has(node: string): boolean {
    return this.members.includes(node);
  }
}

/** A short digest naming a view: its members with their creations, sorted. */
export function viewHash(members: ReadonlyMap<string, number>): string {
  const text = [...members.entries()]
    .map(([n, c]) => `${n}#${c}`)
    .sort()
    .join(',');
  return createHash('sha1').update(text).digest('base64url').slice(0, 16);
}
