/**
 * Process identifiers. A pid names one process on one incarnation of one node:
 * `{node, id, creation}`. A pid whose creation differs from the node's current creation
 * belongs to an earlier incarnation and is dead.
 */
export class Pid {
  // Built on first use: most pids (a spawned process's, a decoded one) are never used as a key,
  // and building the string would cost several allocations per pid.
  #key: string | undefined = undefined;

  constructor(
    readonly node: string,
    readonly id: number,
    readonly creation: number,
  ) {}

  /** Stable string key, usable in Maps and Sets (`node|id|creation`). */
  get key(): string {
    return (this.#key ??= `${this.node}|${this.id}|${this.creation}`);
  }

  equals(other: unknown): boolean {
    return (
      other instanceof Pid &&
      other.id === this.id &&
      other.creation === this.creation &&
      other.node === this.node
    );
  }

  /** Printable form, as Erlang prints pids: `<name@host.17.3>`. */
  toString(): string {
    return `<${this.node}.${this.id}.${this.creation}>`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function isPid(value: unknown): value is Pid {
  return value instanceof Pid;
}

/** Parse the printable form `<node.id.creation>` back into a Pid; undefined when malformed. */
export function parsePid(text: string): Pid | undefined {
  const m = /^<(.+)\.(\d+)\.(\d+)>$/.exec(text);
  if (!m) return undefined;
  return new Pid(m[1]!, Number(m[2]), Number(m[3]));
}
