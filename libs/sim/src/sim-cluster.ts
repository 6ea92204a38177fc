import type { ScopeOptions } from '@sdnode/registry';
import { ClusterGroups } from '@sdnode/sgroups';
import { MemoryBackend, SimBackend, type Backend } from './backends.js';
import { CountingTransport, FrameTally } from './frame-tally.js';
import type { LinkModelOptions } from './link-model.js';
import { startSimNode, type SimNode } from './sim-node.js';
import type { VirtualClock } from './virtual-clock.js';

export interface ClusterOptions {
  readonly names: readonly string[];
  /** The cluster file's s_groups (group -> members); null: free nodes only (the classic full mesh). */
  readonly groups: Readonly<Record<string, readonly string[]>> | null;
  /** Registry scope options (mode, replicas) of the global scope and of every group's scope. */
  readonly scope?: ScopeOptions;
  /** `sim`: SimTransport over a SimNetwork; `memory`: the real MemoryTransport (the comparison). */
  readonly backend?: 'sim' | 'memory';
  readonly link?: LinkModelOptions;
  /** Nodes started before the cluster settles (default 1: one by one). */
  readonly wave?: number;
  /** How the cluster settles after each wave (default: fixed 3000 ms of virtual time). */
  readonly settle?: SettleMode;
}

/** Fixed virtual time, or (sim only) until nothing is in flight and nothing happened for `quietMs`. */
export type SettleMode = { readonly fixedMs: number } | { readonly quietMs: number; readonly maxMs: number };

/**
 * A cluster of real nodes (runtime, SGroupPolicy, registry, s_groups) over a backend, driven in
 * virtual time: free nodes join the mesh through the first node (their seed); s_group nodes
 * connect to their groups' members on their own (the cluster file's groups). Every frame any node
 * sends is counted in `tally`.
 */
export class SimCluster {
  readonly tally = new FrameTally();
  readonly nodes: SimNode[] = [];
  readonly backend: Backend;
  private readonly byName = new Map<string, SimNode>();
  /** The cluster file's groups, read once for every node (as each `sdnode start` reads its file). */
  private readonly file: ClusterGroups;

  private constructor(
    readonly clock: VirtualClock,
    readonly options: ClusterOptions,
  ) {
    this.backend = options.backend === 'memory' ? new MemoryBackend() : new SimBackend(clock, options.link);
    this.file = new ClusterGroups(options.groups ?? {});
  }

  /** Start every node, in waves, settling after each. The clock must be installed. */
  static async start(clock: VirtualClock, options: ClusterOptions): Promise<SimCluster> {
    const c = new SimCluster(clock, options);
    const wave = Math.max(1, options.wave ?? 1);
    for (let i = 0; i < options.names.length; i += wave) {
      for (let j = i; j < Math.min(i + wave, options.names.length); j++) await c.addNode(options.names[j]!, j);
      await c.settle();
    }
    return c;
  }

  get names(): readonly string[] {
    return this.options.names;
  }

  node(name: string): SimNode {
    const n = this.byName.get(name);
    if (n === undefined) throw new Error(`no node ${name} in the cluster`);
    return n;
  }

  /** Start one more node (free nodes dial the first node as their seed). */
  async addNode(name: string, index = this.nodes.length): Promise<SimNode> {
    const transport = new CountingTransport(this.backend.transport(name, index), this.tally);
    const n = await this.clock.until(startSimNode({ name, transport, groups: this.file, scope: this.options.scope ?? {} }));
    this.nodes.push(n);
    this.byName.set(name, n);
    const seed = this.options.names[0];
    if (this.options.groups === null && seed !== undefined && seed !== name) n.node.connect(seed).catch(() => undefined);
    return n;
  }

  /** Let the cluster settle as the options say. */
  async settle(mode: SettleMode = this.options.settle ?? { fixedMs: 3000 }): Promise<void> {
    if ('fixedMs' in mode) {
      await this.clock.advance(mode.fixedMs);
      return;
    }
    const began = this.clock.now;
    const end = began + mode.maxMs;
    while (this.clock.now < end) {
      await this.clock.advance(Math.min(250, end - this.clock.now));
      if (!this.backend.busy() && this.clock.now - Math.max(began, this.backend.lastActivity()) >= mode.quietMs) return;
    }
  }

  /** Connections per node: visible and point to point (`node.nodes({ all: true })`). */
  connections(): { mean: number; min: number; max: number; total: number } {
    let total = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const n of this.nodes) {
      const c = n.node.nodes({ all: true }).length;
      total += c;
      min = Math.min(min, c);
      max = Math.max(max, c);
    }
    const count = Math.max(1, this.nodes.length);
    return { mean: total / count, min: this.nodes.length === 0 ? 0 : min, max, total: total / 2 };
  }

  async stop(): Promise<void> {
    await this.clock.until(Promise.all(this.nodes.map((n) => n.node.stop())));
  }
}
