import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { Node } from '@sdnode/core';
import { InvalidArgumentError } from '@sdnode/wire';

/**
 * A node's attributes: what placement predicates and strategies read. Three sources, later ones
 * winning on a clash of names:
 * - built-ins, sampled by the node itself on every refresh (BUILTIN_ATTRIBUTES);
 * - static ones, from the cluster file's `attributes` and the start options;
 * - user-defined ones, set and deleted at run time (`placement.setAttribute`).
 */

export type AttributeValue = string | number | boolean;
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** The dynamic attributes every node reports, with what they mean. */
export const BUILTIN_ATTRIBUTES = {
  cpus: 'CPUs available to the process (os.availableParallelism)',
  memTotal: 'total memory of the machine, MiB',
  memFree: 'free memory of the machine, MiB',
  load1: "the machine's 1-minute load average",
  elu: 'event-loop utilisation since the previous sample, 0..1',
  lag: 'event-loop delay since the previous sample, mean, ms',
  processes: 'live sdnode processes on the node',
  uptime: 'seconds since placement started on the node',
  load: 'the default least_loaded attribute: elu (0..1); override per spec with loadAttribute',
} as const;

const MIB = 1024 * 1024;
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** Is `v` an attribute value (a string, a finite number or a boolean)? */
export function isAttributeValue(v: unknown): v is AttributeValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Check a record of attributes (start options, a peer's report). */
export function checkAttributes(what: string, attrs: unknown): Attributes {
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) throw new InvalidArgumentError(what, 'a mapping of name -> string, number or boolean');
  for (const [k, v] of Object.entries(attrs)) {
    if (!isAttributeValue(v)) throw new InvalidArgumentError(`${what}.${k}`, 'a string, a finite number or a boolean');
  }
  return attrs as Attributes;
}

/**
 * This node's own attributes. `sample()` refreshes the built-ins; `snapshot()` gives the merged
 * record, rebuilt only after a change. `version` counts changes, so a sender can tell whether
 * there is anything new to spread.
 */
export class LocalAttributes {
  private readonly user = new Map<string, AttributeValue>();
  private builtins: Record<string, AttributeValue> = {};
  private merged: Attributes | null = null;
  private sampledNames: ReadonlySet<string> | null = null;
  private lastElu: EventLoopUtilization;
  private readonly delay: IntervalHistogram;
  private readonly startedAt = performance.now();
  version = 0;

  constructor(
    private readonly node: Node,
    private readonly statics: Attributes,
  ) {
    this.lastElu = performance.eventLoopUtilization();
    // The monitor wakes the event loop at each of its ticks: at 10 ms (Node's default) that was
    // 3.4 ms of CPU a second on an idle node, at 50 ms 1.1 (0.9 with none).
    this.delay = monitorEventLoopDelay({ resolution: 50 });
    this.delay.enable();
    this.sample();
  }

  /** Set a user-defined attribute (overrides a static or built-in one of the same name). */
  set(name: string, value: AttributeValue): boolean {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('name', 'an attribute name');
    if (!isAttributeValue(value)) throw new InvalidArgumentError(name, 'a string, a finite number or a boolean');
    if (this.user.get(name) === value) return false;
    this.user.set(name, value);
    this.changed();
    return true;
  }

  /** Delete a user-defined attribute; true when it existed. */
  delete(name: string): boolean {
    if (!this.user.delete(name)) return false;
    this.changed();
    return true;
  }

  /** Sample the built-ins; true when any of them changed. */
  sample(): boolean {
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    const lagNs = this.delay.count > 0 ? this.delay.mean : 0;
    this.delay.reset();
    const next: Record<string, AttributeValue> = {
      cpus: availableParallelism(),
      memTotal: Math.round(totalmem() / MIB),
      memFree: Math.round(freemem() / MIB),
      load1: round(loadavg()[0] ?? 0, 2),
      elu: round(elu.utilization, 2),
      lag: round(lagNs / 1e6, 1),
      processes: this.node.info().processCount,
      uptime: Math.floor((performance.now() - this.startedAt) / 1000),
    };
    next['load'] = next['elu']!;
    const changed = Object.keys(next).some((k) => this.builtins[k] !== next[k]);
    this.builtins = next;
    if (changed) this.changed();
    return changed;
  }

  snapshot(): Attributes {
    return (this.merged ??= Object.freeze({ ...this.builtins, ...this.statics, ...Object.fromEntries(this.user) }));
  }

  /** The attributes whose value comes from the sampler (built-ins not overridden): see reportMoved. */
  sampled(): ReadonlySet<string> {
    return (this.sampledNames ??= new Set(Object.keys(this.builtins).filter((k) => !(k in this.statics) && !this.user.has(k))));
  }

  stop(): void {
    this.delay.disable();
  }

  private changed(): void {
    this.merged = null;
    this.sampledNames = null;
    this.version++;
  }
}
