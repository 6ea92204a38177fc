/** One scheduled callback of the virtual clock. */
export interface HeapItem {
  /** Virtual time (ms) at which it is due. */
  at: number;
  /** Tie-break: the order in which items were scheduled (earlier first), so runs are deterministic. */
  seq: number;
  /** Position in the heap (-1 when not in it), kept by the heap for O(log n) removal. */
  index: number;
}

const before = (a: HeapItem, b: HeapItem): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * A binary min-heap of timers keyed by (due time, scheduling order). Removal by item is
 * O(log n) (items remember their index), which clearTimeout of ten thousand nodes needs.
 */
export class TimerHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.index = this.items.length;
    this.items.push(item);
    this.up(item.index);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Remove an item if it is in the heap; returns whether it was. */
  remove(item: T): boolean {
    const i = item.index;
    if (i < 0 || this.items[i] !== item) return false;
    const last = this.items.pop()!;
    item.index = -1;
    if (last !== item) {
      this.items[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    return true;
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && before(items[l]!, items[m]!)) m = l;
      if (r < items.length && before(items[r]!, items[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const items = this.items;
    const a = items[i]!;
    const b = items[j]!;
    items[i] = b;
    items[j] = a;
    a.index = j;
    b.index = i;
  }
}
