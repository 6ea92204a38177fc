import { createHash } from 'node:crypto';
import HashRing from 'hashring';

/**
 * The consistent hash ring of one scope view (hashring, ketama-compatible): a name's owner is its
 * point on the ring; in partitioned mode its holders are the owner and the next distinct nodes.
 * A join or a leave moves only the names between the changed node's points and their neighbours.
 */
export class Ring {
  private readonly ring: HashRing | null;

  constructor(readonly members: readonly string[]) {
    this.ring = members.length > 1 ? new HashRing([...members]) : null;
  }

  owner(name: string): string {
    return this.ring === null ? (this.members[0] as string) : this.ring.get(name);
  }

  /** The owner and then up to `replicas` more distinct nodes (fewer when the view is smaller). */
  holders(name: string, replicas: number): readonly string[] {
    if (this.ring === null) return this.members;
    if (replicas <= 0) return [this.ring.get(name)];
    return this.ring.range(name, Math.min(replicas + 1, this.members.length), true);
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
