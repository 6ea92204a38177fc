import type { AttributeValue, Attributes } from './attributes.js';

/**
 * When is a node's report worth sending again (docs/protocols/placement.md, "When a node reports")?
 * Built-in figures move a little at every sample (free memory, event-loop utilisation, the load
 * average), and re-sending them to every peer of the visibility scope each second was most of an
 * idle node's CPU: at 16 nodes, 26 % of a core for the cluster, at 64, 1.3 cores. So a sampled
 * figure is re-sent only when it moved by more than its tolerance since the last report sent;
 * every other attribute (static, user-defined, a built-in overridden by either, an unknown one) is
 * re-sent on any change.
 *
 * Tolerances (the `BUILTIN_ATTRIBUTES` the sampler owns):
 *
 * | attribute | re-sent when it moved by | why |
 * | --- | --- | --- |
 * | elu, load (0..1) | >= 0.05 | least_loaded compares them; smaller moves are noise of one sample |
 * | lag (ms) | >= max(1 ms, 25 % of the last sent) | |
 * | load1 | >= max(0.1, 10 % of the last sent) | |
 * | memFree (MiB) | >= 2 % of memTotal | |
 * | processes | >= max(1, 5 % of the last sent) | the chooser adds its own placements since the last report (ClusterView `placed`) |
 * | uptime | never on its own | it moves every second; it is sent with the next report |
 * | cpus, memTotal | any change | |
 */
type Tolerance = (sent: number, next: number, report: Attributes) => boolean;

// The sampler rounds its figures (0.15 - 0.1 is 0.04999...): a move within EPSILON of the
// tolerance counts as reaching it.
const EPSILON = 1e-9;

const atLeast = (min: number, share: number): Tolerance => (sent, next) => Math.abs(next - sent) >= Math.max(min, share * Math.abs(sent)) - EPSILON;

const TOLERANCES: Readonly<Record<string, Tolerance>> = {
  elu: atLeast(0.05, 0),
  load: atLeast(0.05, 0),
  lag: atLeast(1, 0.25),
  load1: atLeast(0.1, 0.1),
  memFree: (sent, next, report) => {
    const total = report['memTotal'];
    return Math.abs(next - sent) >= (typeof total === 'number' && total > 0 ? 0.02 * total : 1) - EPSILON;
  },
  processes: atLeast(1, 0.05),
  uptime: () => false,
};

/**
 * Whether `next` (this node's merged attributes now) differs from `sent` (the last report sent to
 * the scope) enough to send it. `sampled` names the attributes whose current value comes from the
 * sampler (not overridden by a static or user-defined one): only those get a tolerance.
 */
export function reportMoved(sent: Attributes, next: Attributes, sampled: ReadonlySet<string>): boolean {
  for (const key of Object.keys(next)) {
    const a: AttributeValue | undefined = sent[key];
    const b = next[key]!;
    if (a === b) continue;
    if (a === undefined) return true;
    const tolerance = sampled.has(key) ? TOLERANCES[key] : undefined;
    if (tolerance === undefined || typeof a !== 'number' || typeof b !== 'number') return true;
    if (tolerance(a, b, next)) return true;
  }
  for (const key of Object.keys(sent)) if (!(key in next)) return true;
  return false;
}
