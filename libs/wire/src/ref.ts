/**
 * Unique references, used for monitors, call correlation and spawn requests.
 * Unique within a node incarnation (`id` is a per-node counter), and across the cluster
 * together with `node` and `creation`.
 */
export class Ref {
  // Built on first use (see Pid).
  #key: string | undefined = undefined;

  constructor(
    readonly node: string,
    readonly id: number,
    readonly creation: number,
  ) {}

  /** Stable string key, usable in Maps and Sets (`node#id#creation`). */
  get key(): string {
    return (this.#key ??= `${this.node}#${this.id}#${this.creation}`);
  }

  equals(other: unknown): boolean {
    return (
      other instanceof Ref &&
      other.id === this.id &&
      other.creation === this.creation &&
      other.node === this.node
    );
  }

  toString(): string {
    return `#Ref<${this.node}.${this.id}.${this.creation}>`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function isRef(value: unknown): value is Ref {
  return value instanceof Ref;
}
