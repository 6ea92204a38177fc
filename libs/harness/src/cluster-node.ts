import type { Pid } from '@sdnode/wire';
import type { NodeInstance, ResolvedNode } from './backend.js';
import type { Cluster, DriveOptions, SpawnOptions } from './cluster.js';
import type { NodeLog } from './logs/node-log.js';
import type { NodeState, ProcessSummary } from './node-side/harness-functions.js';

/**
 * Should a node whose s_groups are `mine` see `other` (whose groups are `theirs`) among its
 * visible nodes: they share a group, or both are free.
 */
export function shouldSee(mine: Record<string, string[]>, other: string, theirs: Record<string, string[]>): boolean {
  const groups = Object.values(mine);
  if (groups.length === 0) return Object.keys(theirs).length === 0;
  return groups.some((members) => Array.isArray(members) && members.includes(other));
}

/** Where a node of the cluster is in its life. */
export type NodeStatus = 'starting' | 'running' | 'frozen' | 'stopped' | 'killed' | 'exited';

/**
 * One node of a Cluster, across its incarnations: its name, status, log, and the current
 * instance (OS process or container). The methods are shortcuts for the Cluster's own
 * (`cluster.node('n2').kill()` is `cluster.kill('n2')`).
 */
export class ClusterNode {
  status: NodeStatus = 'starting';
  /** How many times the node was restarted. */
  restarts = 0;
  private current: NodeInstance | undefined = undefined;
  /** The last instance, also once it ended (a restart keeps its address). */
  private last: NodeInstance | undefined = undefined;

  constructor(
    private readonly cluster: Cluster,
    readonly spec: ResolvedNode,
    readonly log: NodeLog,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get shortName(): string {
    return this.spec.shortName;
  }

  get hidden(): boolean {
    return this.spec.hidden;
  }

  /** The running (or frozen) instance, if any. */
  get instance(): NodeInstance | undefined {
    return this.current;
  }

  /** The most recent instance, running or not. */
  get lastInstance(): NodeInstance | undefined {
    return this.last;
  }

  /** The address the driver dials (undefined before the first start). */
  get address(): string | undefined {
    return this.last?.dialAddress;
  }

  /** The creation of the current (or last) incarnation. */
  get creation(): number | undefined {
    return this.last?.creation;
  }

  get isUp(): boolean {
    return this.status === 'running' || this.status === 'frozen';
  }

  /** Called by the Cluster when an instance has started. */
  attach(instance: NodeInstance): void {
    this.current = instance;
    this.last = instance;
    this.status = 'running';
    void instance.ended.then(() => {
      if (this.current !== instance) return;
      this.current = undefined;
      if (this.status === 'running' || this.status === 'frozen' || this.status === 'starting') this.status = 'exited';
    });
  }

  /**
   * The nodes this node is connected to, as its own `nodeup`/`nodedown` lines of the current
   * incarnation tell (no rpc: also works for a frozen node, and costs nothing).
   */
  connected(options: { hidden?: boolean } = {}): string[] {
    const up = new Map<string, boolean>();
    for (const e of this.log.currentEvents()) {
      const peer = e['node'];
      if (typeof peer !== 'string') continue;
      if (e.event === 'nodeup') up.set(peer, e['hidden'] === true);
      else if (e.event === 'nodedown') up.delete(peer);
    }
    return [...up].filter(([, hidden]) => options.hidden === true || !hidden).map(([n]) => n).sort();
  }

  /**
   * The node's s_groups (group -> members), as the last `sgroups` line of the current incarnation
   * tells; empty for a free node (one that never logged its groups is free).
   */
  sgroups(): Record<string, string[]> {
    let groups: Record<string, string[]> = {};
    for (const e of this.log.currentEvents()) {
      const g = e['groups'];
      if (e.event === 'sgroups' && typeof g === 'object' && g !== null && !Array.isArray(g)) groups = g as Record<string, string[]>;
    }
    return groups;
  }

  rpc<T = unknown>(fn: string, args: readonly unknown[] = [], options: DriveOptions = {}): Promise<T> {
    return this.cluster.rpc<T>(this.name, fn, args, options);
  }

  spawn(type: string, args: readonly unknown[] = [], options: SpawnOptions = {}): Promise<Pid> {
    return this.cluster.spawn(this.name, type, args, options);
  }

  state(options: DriveOptions = {}): Promise<NodeState> {
    return this.cluster.state(this.name, options);
  }

  processes(options: DriveOptions = {}): Promise<ProcessSummary[]> {
    return this.cluster.processes(this.name, options);
  }

  registered(options: DriveOptions = {}): Promise<Record<string, Pid>> {
    return this.cluster.registered(this.name, options);
  }

  kill(): Promise<void> {
    return this.cluster.kill(this.name);
  }

  stop(): Promise<void> {
    return this.cluster.stop(this.name);
  }

  freeze(): Promise<void> {
    return this.cluster.freeze(this.name);
  }

  thaw(): Promise<void> {
    return this.cluster.thaw(this.name);
  }

  /** Hold everything this node sends for `ms` (0 lifts it): `cluster.delay(node, ms)`. */
  delay(ms: number): Promise<void> {
    return this.cluster.delay(this.name, ms);
  }

  restart(): Promise<void> {
    return this.cluster.restart(this.name);
  }
}
