// Metrics read at scrape time from live objects, and the per-scrape memo of what several of them read.
import { Counter, Gauge, type Registry } from 'prom-client';

/** Label values of one series. */
export type Labels = Readonly<Record<string, string>>;

/** One series of a metric read at scrape time: its labels and its value. */
export type Series = readonly [labels: Labels, value: number];

/** What a metric read at scrape time returns: one value (no labels) or its series. */
export type Reading = number | Iterable<Series>;

export interface SnapshotMetricSpec {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /** Called on every scrape; what it returns replaces the previous series (a peer gone is a series gone). */
  readonly read: () => Reading;
}

/** Where collection errors go (a scrape still answers; the metric is left empty). */
export type CollectErrorHandler = (metric: string, error: unknown) => void;

/**
 * Metrics whose values are read from live objects when Prometheus scrapes (nothing is counted on
 * hot paths): a gauge for levels, a counter for totals the objects keep themselves. Each is
 * registered in `registry` only (never in prom-client's global registry).
 */
export class SnapshotMetrics {
  constructor(
    private readonly registry: Registry,
    private readonly onError: CollectErrorHandler,
  ) {}

  /** A level: connections, queue bytes, mailbox lengths. */
  gauge(spec: SnapshotMetricSpec): Gauge {
    const onError = this.onError;
    const gauge: Gauge = new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: [...(spec.labelNames ?? [])],
      registers: [this.registry],
      collect() {
        gauge.reset();
        const reading = safeRead(spec, onError);
        if (reading === undefined) return;
        if (typeof reading === 'number') gauge.set(reading);
        else for (const [labels, value] of reading) gauge.set(labels, value);
      },
    });
    return gauge;
  }

  /**
   * A total kept by the object read (transport counters, registry stats): reported as a counter.
   * The object must keep it monotonic for as long as the metric exists (they live with the node).
   */
  counter(spec: SnapshotMetricSpec): Counter {
    const onError = this.onError;
    const counter: Counter = new Counter({
      name: spec.name,
      help: spec.help,
      labelNames: [...(spec.labelNames ?? [])],
      registers: [this.registry],
      collect() {
        counter.reset();
        const reading = safeRead(spec, onError);
        if (reading === undefined) return;
        if (typeof reading === 'number') counter.inc(nonNegative(reading));
        else for (const [labels, value] of reading) counter.inc(labels, nonNegative(value));
      },
    });
    return counter;
  }

  /** A counter this package increments itself (on node events, not on hot paths). */
  eventCounter(spec: Omit<SnapshotMetricSpec, 'read'>): Counter {
    return new Counter({ name: spec.name, help: spec.help, labelNames: [...(spec.labelNames ?? [])], registers: [this.registry] });
  }
}

function safeRead(spec: SnapshotMetricSpec, onError: CollectErrorHandler): Reading | undefined {
  try {
    const reading = spec.read();
    // Materialised here, so that an error thrown while iterating is caught as well.
    return typeof reading === 'number' ? reading : [...reading];
  } catch (error) {
    onError(spec.name, error);
    return undefined;
  }
}

const nonNegative = (v: number): number => (Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Values computed once per scrape and shared by the metrics that read them (a node's info(), a
 * scope's info()): prom-client calls the collect function of every metric of a registry
 * synchronously, one after the other, when a scrape starts; whatever was computed is forgotten in
 * the next microtask, so the next scrape (even one right after) computes it afresh.
 */
export class ScrapeMemo {
  private readonly values = new Map<string, unknown>();
  private clearScheduled = false;

  get<T>(key: string, compute: () => T): T {
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = compute();
    this.values.set(key, value);
    if (!this.clearScheduled) {
      this.clearScheduled = true;
      queueMicrotask(() => {
        this.values.clear();
        this.clearScheduled = false;
      });
    }
    return value;
  }
}
