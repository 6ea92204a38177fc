import type { Attributes } from './attributes.js';
import type { Location } from './distance.js';

/** What this node knows about one node (itself included): the last report and the measured round trip. */
export interface NodeEntry {
  readonly name: string;
  attributes: Attributes;
  location: Location;
  /**
   * When this node last heard of it: its last report, or a later answer to a probe, which tells
   * that the report still holds (this node's monotonic clock, ms).
   */
  receivedAt: number;
  /** Smoothed round trip from this node, ms (0 for this node; undefined until measured). */
  rtt: number | undefined;
  /**
   * Processes this node placed there since its last report: added to the reported process count
   * by least_loaded, so many spawns between two reports do not all land on one node.
   */
  placed: number;
}

/** A change: a node was added, updated or removed (`entry` undefined). */
export type ViewListener = (node: string, entry: NodeEntry | undefined) => void;

const LOG_LIMIT = 4096;

/**
 * The placement view of one node: an entry per node in its visibility scope (its groups' members,
 * or the free mesh) that reported attributes, and its own. Each change that can alter a filter's
 * verdict (a report, a round trip, a node gone) increments `version` and is logged, so a compiled
 * query re-checks only the nodes that changed since it last looked (see PlacementQuery).
 */
export class ClusterView {
  private readonly entries = new Map<string, NodeEntry>();
  private readonly listeners = new Set<ViewListener>();
  /** log[i] is the node changed by version logBase + i + 1. */
  private log: string[] = [];
  private logBase = 0;
  version = 0;

  constructor(
    readonly self: string,
    readonly levels: readonly string[],
    /** A subscriber threw: reported here, and the other subscribers still hear of the change. */
    private readonly onListenerError: (error: unknown) => void = () => {},
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(node: string): NodeEntry | undefined {
    return this.entries.get(node);
  }

  has(node: string): boolean {
    return this.entries.has(node);
  }

  all(): IterableIterator<NodeEntry> {
    return this.entries.values();
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** A node's report: its attributes and location, received now. */
  report(node: string, attributes: Attributes, location: Location, now: number): NodeEntry {
    let e = this.entries.get(node);
    if (e === undefined) {
      e = { name: node, attributes, location, receivedAt: now, rtt: node === this.self ? 0 : undefined, placed: 0 };
      this.entries.set(node, e);
    } else {
      e.attributes = attributes;
      e.location = location;
      e.receivedAt = now;
      e.placed = 0;
    }
    this.changed(node, e);
    return e;
  }

  /**
   * `node` answered a probe: its last report still holds (it would have sent a new one first, on
   * the same ordered connection). Ignored for nodes that never reported.
   */
  heard(node: string, now: number): void {
    const e = this.entries.get(node);
    if (e === undefined || now <= e.receivedAt) return;
    e.receivedAt = now;
    this.changed(node, e);
  }

  /** A new smoothed round trip to `node`; ignored for nodes that never reported. */
  setRtt(node: string, rtt: number): void {
    const e = this.entries.get(node);
    if (e === undefined || e.rtt === rtt) return;
    e.rtt = rtt;
    this.changed(node, e);
  }

  /** This node placed a process on `node` (not a change of eligibility: no version). */
  notePlaced(node: string): void {
    const e = this.entries.get(node);
    if (e !== undefined) e.placed++;
  }

  remove(node: string): boolean {
    if (node === this.self || !this.entries.delete(node)) return false;
    this.changed(node, undefined);
    return true;
  }

  /** Nodes changed after `since`, or null when the log no longer reaches back that far. */
  changesSince(since: number): readonly string[] | null {
    if (since < this.logBase) return null;
    return this.log.slice(since - this.logBase);
  }

  subscribe(listener: ViewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(node: string, entry: NodeEntry | undefined): void {
    this.version++;
    this.log.push(node);
    if (this.log.length > LOG_LIMIT) {
      const drop = this.log.length - LOG_LIMIT / 2;
      this.log = this.log.slice(drop);
      this.logBase += drop;
    }
    for (const l of this.listeners) {
      try {
        l(node, entry);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }
}
