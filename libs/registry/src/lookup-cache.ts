import type { RegistryEntry } from './entry.js';

/**
 * Partitioned mode: entries this node learned from a holder and does not hold itself. Bounded
 * (the oldest go first); an entry leaves when its owner says it was deleted or replaced, when its
 * pid's node leaves the view, and when the view changes (ownership may have moved).
 */
export class LookupCache {
  private readonly map = new Map<string, RegistryEntry>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(name: string): RegistryEntry | undefined {
    return this.map.get(name);
  }

  put(e: RegistryEntry): void {
    this.map.delete(e.name);
    this.map.set(e.name, e);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  /** Drop `name` when it still caches registration `id` (any id when undefined). */
  drop(name: string, id?: string): void {
    const e = this.map.get(name);
    if (e !== undefined && (id === undefined || e.id === id)) this.map.delete(name);
  }

  dropNode(node: string): void {
    for (const [name, e] of this.map) if (e.pid.node === node) this.map.delete(name);
  }

  dropPid(pidKey: string): void {
    for (const [name, e] of this.map) if (e.pid.key === pidKey) this.map.delete(name);
  }

  clear(): void {
    this.map.clear();
  }
}
