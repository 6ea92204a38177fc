import { Ring, viewHash } from './ring.js';

export type ViewState = 'settling' | 'stable';

/** What changed when a new view was installed. */
export interface ViewChange {
  readonly previous: Ring;
  readonly current: Ring;
  /** Members that were not in the previous view (to be sent this node's names). */
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/**
 * The membership state machine of one scope on one node (docs/protocols/registry.md, "Views").
 *
 * The view is this node plus the peers admitted by a scope HELLO, each with its creation. Every
 * change installs a new view (state `settling`): the scope first sends what the change requires
 * (its names to new members, the names it hands over to their new owners), then a VIEW report
 * naming the view's hash to every member. The view is `stable` once every other member's latest
 * report names the same hash. Because each member sends its syncs before its report on the same
 * ordered connection, a stable owner holds every decision made by the previous owners of its
 * names, so it may decide new writes: owners decide only in a stable view.
 */
export class ScopeView {
  private readonly admitted = new Map<string, number>();
  private readonly reports = new Map<string, string>();
  private ringValue: Ring;
  private hashValue: string;
  private stateValue: ViewState = 'stable';
  /** Views installed so far (for info and tests). */
  installs = 0;

  constructor(
    readonly self: string,
    readonly creation: number,
  ) {
    this.admitted.set(self, creation);
    this.ringValue = new Ring([self]);
    this.hashValue = viewHash(this.admitted);
  }

  get ring(): Ring {
    return this.ringValue;
  }

  get hash(): string {
    return this.hashValue;
  }

  get state(): ViewState {
    return this.stateValue;
  }

  get stable(): boolean {
    return this.stateValue === 'stable';
  }

  /** Members (this node included), sorted. */
  get members(): readonly string[] {
    return this.ringValue.members;
  }

  private peersValue: readonly string[] = [];

  /** Other members, sorted (the same array until the view changes: do not modify it). */
  peers(): readonly string[] {
    return this.peersValue;
  }

  /** The creation a member was admitted with (undefined when not a member). */
  creationOf(node: string): number | undefined {
    return this.admitted.get(node);
  }

  isMember(node: string): boolean {
    return this.admitted.has(node);
  }

  /** Admit a peer (or re-admit it with a new creation); false when nothing changed. */
  admit(node: string, creation: number): boolean {
    if (node === this.self || this.admitted.get(node) === creation) return false;
    this.admitted.set(node, creation);
    this.reports.delete(node);
    return true;
  }

  /** A peer left (nodedown, left the scope's membership); false when it was not a member. */
  leave(node: string): boolean {
    if (node === this.self || !this.admitted.delete(node)) return false;
    this.reports.delete(node);
    return true;
  }

  /** Install the view of the admitted members: state `settling` until every report matches. */
  install(): ViewChange {
    const previous = this.ringValue;
    const members = [...this.admitted.keys()].sort();
    this.ringValue = new Ring(members);
    this.peersValue = members.filter((m) => m !== this.self);
    this.hashValue = viewHash(this.admitted);
    this.installs++;
    const before = new Set(previous.members);
    const now = new Set(members);
    this.stateValue = 'settling';
    this.checkStable();
    return {
      previous,
      current: this.ringValue,
      added: members.filter((m) => !before.has(m)),
      removed: previous.members.filter((m) => !now.has(m)),
    };
  }

  /** A member's VIEW report; returns true when it made the view stable. */
  report(from: string, hash: string): boolean {
    if (!this.admitted.has(from)) return false;
    this.reports.set(from, hash);
    return this.stateValue === 'settling' && this.checkStable();
  }

  /** The settle timeout passed: owners decide without the missing reports. */
  forceStable(): void {
    this.stateValue = 'stable';
  }

  /** Members whose latest report does not name the current view (for info and reports). */
  waitingFor(): string[] {
    return this.peers().filter((m) => this.reports.get(m) !== this.hashValue);
  }

  private checkStable(): boolean {
    for (const m of this.ringValue.members) {
      if (m !== this.self && this.reports.get(m) !== this.hashValue) return false;
    }
    this.stateValue = 'stable';
    return true;
  }
}
