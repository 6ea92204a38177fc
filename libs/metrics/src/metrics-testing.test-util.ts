import { pino } from 'pino';
import { Node, defineProcess, type ProcessContext } from '@sdnode/core';
import { Placement } from '@sdnode/placement';
import { Registry } from '@sdnode/registry';
import { SGroupPolicy, SGroups } from '@sdnode/sgroups';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { NodeMetrics, type NodeMetricsOptions } from './node-metrics.js';

// Test helpers: nodes over the memory transport with their metrics, reading Prometheus's text
// exposition format, and waiting for a value with a deadline.

/** One sample line: name, labels, value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The samples of `name` whose labels include `labels`. */
export function samples(text: string, name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
  return parseMetrics(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The value of the one sample of `name` with `labels` (undefined when there is none; throws when several match). */
export function value(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const found = samples(text, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/**
 * Scrape until `check` accepts the text (returns true), polling every few ms, or fail after
 * `timeoutMs` with the last text's matching lines.
 */
export async function waitForScrape(scrape: () => Promise<string>, check: (text: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = await scrape();
    if (check(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last scrape:\n${text}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A process that never receives: its mailbox only grows. */
export const Sink = defineProcess('metrics.test.sink', async (ctx: ProcessContext) => {
  await ctx.receive((x) => (x === 'stop' ? x : undefined));
});

export interface MetricsMember {
  readonly node: Node;
  readonly registry: Registry;
  readonly sgroups: SGroups;
  readonly placement: Placement;
  readonly metrics: NodeMetrics;
}

export const full = (short: string): string => (short.includes('@') ? short : `${short}@127.0.0.1`);

/**
 * A node over `network` as `sdnode start` runs it (SGroupPolicy, a registry whose global scope is
 * the free nodes', s_groups, placement with fast probes) with its metrics.
 */
export async function startMember(
  network: MemoryNetwork,
  short: string,
  options: { groups?: Record<string, readonly string[]>; hidden?: boolean; metrics?: NodeMetricsOptions } = {},
): Promise<MetricsMember> {
  const name = full(short);
  const hidden = options.hidden ?? false;
  const policy = new SGroupPolicy();
  const transport = new MemoryTransport({ network, name, cookie: 'test', hidden, encode: true });
  const logger = pino({ level: process.env['SDNODE_LOG_LEVEL'] ?? 'error', base: { node: name } });
  const node = await Node.start({ name, cookie: 'test', transport, hidden, types: [Sink], connectionPolicy: policy, logger });
  const registry = Registry.start(node, hidden ? { global: false } : { global: { membership: policy.freeMembership(false) } });
  const groups = Object.fromEntries(Object.entries(options.groups ?? {}).map(([g, ms]) => [g, ms.map(full)]));
  const sgroups = SGroups.start(node, { policy, registry, groups, changeTimeout: 2000 });
  const placement = Placement.start(node, { refreshInterval: 50, probeInterval: 50, sgroups, policies: { anywhere: {} } });
  const metrics = NodeMetrics.create(node, { registry, sgroups, placement, ...options.metrics });
  return { node, registry, sgroups, placement, metrics };
}

export { MemoryNetwork };
