/**
 * Entries grouped by node name, so that everything concerning one node can be taken out at once
 * when its connection goes down: O(entries of that node), never a scan of all processes.
 * A node's map stays when it becomes empty (a call adds and removes a monitor every time: no Map
 * is allocated per call); take() drops it, so it lives as long as the connection.
 */
export class PerNodeIndex<V> {
  private readonly byNode = new Map<string, Map<string, V>>();

  add(node: string, key: string, value: V): void {
    let m = this.byNode.get(node);
    if (m === undefined) {
      m = new Map();
      this.byNode.set(node, m);
    }
    m.set(key, value);
  }

  get(node: string, key: string): V | undefined {
    return this.byNode.get(node)?.get(key);
  }

  /** Remove and return the entry (undefined when absent). */
  remove(node: string, key: string): V | undefined {
    const m = this.byNode.get(node);
    if (m === undefined) return undefined;
    const v = m.get(key);
    if (v === undefined) return undefined;
    m.delete(key);
    return v;
  }

  /** Remove and return every entry of `node`. */
  take(node: string): V[] {
    const m = this.byNode.get(node);
    if (m === undefined) return [];
    this.byNode.delete(node);
    return m.size === 0 ? [] : [...m.values()];
  }

  count(node: string): number {
    return this.byNode.get(node)?.size ?? 0;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byNode.values()) n += m.size;
    return n;
  }
}
