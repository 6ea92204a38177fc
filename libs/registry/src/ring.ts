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

/** Names whose owner (and holders) a ring remembers. */
const CACHE = 250_000;

/**
 * The consistent hash ring of one scope view (hashring, ketama-compatible): a name's owner is its
 * point on the ring; in partitioned mode its holders are the owner and the next distinct nodes.
 * A join or a leave moves only the names between the changed node's points and their neighbours.
 */
export class Ring {
  /** Built on first use: a view change in a scope with no names (most s_group changes) never hashes. */
  private ringValue: HashRing | null | undefined = undefined;
  /** Holders per name, for this view (the ring never changes: a new view is a new Ring). */
  private readonly holdersCache = new Map<string, readonly string[]>();
  /** Owner per name, for this view: a Map lookup instead of hashring's md5 (or its LRU bookkeeping). */
  private readonly ownerCache = new Map<string, string>();
  private readonly points = new RingPoint();

  constructor(readonly members: readonly string[]) {}

  private get ring(): HashRing | null {
    if (this.ringValue === undefined) this.ringValue = this.members.length > 1 ? new HashRing([...this.members], 'md5', { 'max cache size': 16 }) : null;
    return this.ringValue;
  }

  owner(name: string): string {
    if (this.ring === null) return this.members[0] as string;
    let owner = this.ownerCache.get(name);
    if (owner === undefined) {
      owner = this.point(this.ring, name);
      if (this.ownerCache.size >= CACHE) this.ownerCache.clear();
      this.ownerCache.set(name, owner);
    }
    return owner;
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

  /** The owner and then up to `replicas` more distinct nodes (fewer when the view is smaller). */
  holders(name: string, replicas: number): readonly string[] {
    if (this.ring === null) return this.members;
    if (replicas <= 0) return [this.owner(name)];
    const cached = this.holdersCache.get(name);
    if (cached !== undefined) return cached;
    const found = this.walk(this.ring, name, Math.min(replicas + 1, this.members.length));
    if (this.holdersCache.size >= CACHE) this.holdersCache.clear();
    this.holdersCache.set(name, found);
    return found;
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
