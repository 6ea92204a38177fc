import { Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';
import type { Node } from '@sdnode/core';
import type { Placement } from '@sdnode/placement';
import type { Registry } from '@sdnode/registry';
import type { SGroups } from '@sdnode/sgroups';
import { InvalidArgumentError } from '@sdnode/wire';
import { registerConnectionMetrics } from './connection-metrics.js';
import { registerEventLoopMetrics, registerProcessMetrics } from './runtime-metrics.js';
import { registerPlacementMetrics, registerRegistryMetrics, registerSGroupMetrics } from './service-metrics.js';
import { ScrapeMemo, SnapshotMetrics } from './snapshot-metrics.js';

export const DEFAULT_PREFIX = 'sdnode_';
export const DEFAULT_TOP_MAILBOXES = 10;
const MAX_TOP_MAILBOXES = 1000;
const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export interface NodeMetricsOptions {
  /**
   * The prom-client registry to register the node's metrics in. Default: a new one per node, with
   * the default label `node` set to the node's name (never prom-client's global registry: several
   * nodes may run in one process).
   */
  readonly promRegistry?: PromRegistry;
  /** The node's distributed registry: names and process groups per scope. */
  readonly registry?: Registry;
  /** The node's s_groups: membership versions, members, kind. */
  readonly sgroups?: SGroups;
  /** The node's placement: decisions, view, round trips. */
  readonly placement?: Placement;
  /** How many of the longest mailboxes to report (default 10, 0 for none, at most 1000). */
  readonly topMailboxes?: number;
  /** Prefix of every metric name (default `sdnode_`). */
  readonly prefix?: string;
  /**
   * Also prom-client's default metrics of the Node.js process (`process_*`, `nodejs_*`: CPU,
   * memory, GC, handles). Off by default: they are per process, and their monitors cannot be
   * stopped (turn them on once per process, as `sdnode start --metrics` does).
   */
  readonly processMetrics?: boolean;
}

/**
 * The Prometheus metrics of one node: registered in a prom-client registry of the node's own and
 * read from the live objects (node, transport, registry, s_groups, placement) when scraped, so
 * nothing is counted on hot paths. `text()` is what /metrics serves (see startMetricsServer).
 * Closes itself when the node stops.
 */
export class NodeMetrics {
  private readonly disposers: Array<() => void> = [];
  /** The metrics this instance registered (what close removes from a registry it does not own). */
  private names: string[] = [];
  private closed = false;

  private constructor(
    readonly node: Node,
    readonly promRegistry: PromRegistry,
    private readonly ownRegistry: boolean,
  ) {}

  /**
   * Register the metrics of `node`. InvalidArgumentError for bad options; prom-client's Error when
   * a metric name is taken in `promRegistry` (nothing stays registered then).
   */
  static create(node: Node, options: NodeMetricsOptions = {}): NodeMetrics {
    checkOptions(options);
    const own = options.promRegistry === undefined;
    const promRegistry = options.promRegistry ?? new PromRegistry();
    if (own) promRegistry.setDefaultLabels({ node: node.name });
    const m = new NodeMetrics(node, promRegistry, own);
    try {
      m.register(options);
    } catch (error) {
      m.close();
      throw error;
    }
    m.disposers.push(node.addShutdownHook('metrics', () => m.close()));
    return m;
  }

  private register(options: NodeMetricsOptions): void {
    const { node, promRegistry } = this;
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    const before = new Set(promRegistry.getMetricsAsArray().map((m) => m.name));
    const metrics = new SnapshotMetrics(promRegistry, (metric, err) => node.logger.warn({ err, metric }, 'metrics: collecting failed'));
    const memo = new ScrapeMemo();
    try {
      this.disposers.push(registerConnectionMetrics(node, metrics, memo, prefix));
      registerProcessMetrics(node, metrics, memo, prefix, options.topMailboxes ?? DEFAULT_TOP_MAILBOXES);
      this.disposers.push(registerEventLoopMetrics(metrics, prefix));
      if (options.registry !== undefined) registerRegistryMetrics(options.registry, metrics, memo, prefix);
      if (options.sgroups !== undefined) registerSGroupMetrics(node, options.sgroups, metrics, memo, prefix);
      if (options.placement !== undefined) registerPlacementMetrics(options.placement, metrics, prefix);
      if (options.processMetrics === true) collectDefaultMetrics({ register: promRegistry });
    } finally {
      this.names = promRegistry.getMetricsAsArray().map((m) => m.name).filter((n) => !before.has(n));
    }
  }

  /** The exposition format's content type (for the Content-Type header). */
  get contentType(): string {
    return this.promRegistry.contentType;
  }

  /** Every metric of the registry, read now, in Prometheus's text format. */
  text(): Promise<string> {
    return this.promRegistry.metrics();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stop the event-loop monitor and the node event listeners; remove this node's metrics from the registry. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    if (this.ownRegistry) this.promRegistry.clear();
    else for (const name of this.names) this.promRegistry.removeSingleMetric(name);
  }
}

function checkOptions(options: NodeMetricsOptions): void {
  const top = options.topMailboxes;
  if (top !== undefined && !(Number.isInteger(top) && top >= 0 && top <= MAX_TOP_MAILBOXES)) {
    throw new InvalidArgumentError('topMailboxes', `an integer in 0..${MAX_TOP_MAILBOXES}, got ${String(top)}`);
  }
  if (options.prefix !== undefined && (typeof options.prefix !== 'string' || !(options.prefix === '' || METRIC_PREFIX.test(options.prefix)))) {
    throw new InvalidArgumentError('prefix', `a metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(options.prefix)}`);
  }
}
