// The node's runtime: processes, run queue, the longest mailboxes, and the event loop it runs on.
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { Node, NodeInfo } from '@sdnode/core';
import type { ScrapeMemo, Series, SnapshotMetrics } from './snapshot-metrics.js';

/** One of the longest mailboxes of a node. */
export interface MailboxEntry {
  readonly pid: string;
  /** The locally registered name, or '' */
  readonly name: string;
  /** The process type, `anonymous` for spawnFn processes. */
  readonly type: string;
  readonly messages: number;
}

/**
 * The `limit` processes with the most messages waiting (processes with an empty mailbox are not
 * listed), longest first; ties by pid so that the list is stable between scrapes.
 */
export function longestMailboxes(node: Node, limit: number): MailboxEntry[] {
  if (limit <= 0) return [];
  const top: MailboxEntry[] = [];
  for (const pid of node.processes()) {
    const info = node.processInfo(pid);
    if (info === undefined || info.messageQueueLength === 0) continue;
    const last = top[top.length - 1];
    if (top.length >= limit && last !== undefined && last.messages >= info.messageQueueLength) continue;
    const entry: MailboxEntry = { pid: pid.toString(), name: info.name ?? '', type: info.type, messages: info.messageQueueLength };
    let i = top.length;
    while (i > 0 && before(entry, top[i - 1]!)) i--;
    top.splice(i, 0, entry);
    if (top.length > limit) top.pop();
  }
  return top;
}

const before = (a: MailboxEntry, b: MailboxEntry): boolean => a.messages > b.messages || (a.messages === b.messages && a.pid < b.pid);

/**
 * The runtime: process count, run queue, spawned/exited/crashed totals, locally registered names,
 * and the `topMailboxes` longest mailboxes as a labelled gauge.
 */
export function registerProcessMetrics(node: Node, metrics: SnapshotMetrics, memo: ScrapeMemo, prefix: string, topMailboxes: number): void {
  const info = (): NodeInfo => memo.get<NodeInfo>('node.info', () => node.info());
  metrics.gauge({ name: `${prefix}processes`, help: 'Processes alive on the node', read: () => info().processCount });
  metrics.gauge({ name: `${prefix}run_queue_length`, help: 'Processes with messages to handle, waiting for the scheduler', read: () => info().stats.runQueue });
  metrics.gauge({ name: `${prefix}registered_names`, help: 'Names registered locally on the node (not the distributed registry)', read: () => info().stats.registeredNames });
  metrics.counter({ name: `${prefix}processes_spawned_total`, help: 'Processes spawned on the node', read: () => info().stats.spawned });
  metrics.counter({ name: `${prefix}processes_exited_total`, help: 'Processes that exited', read: () => info().stats.exited });
  metrics.counter({ name: `${prefix}processes_crashed_total`, help: 'Processes that exited with an abnormal reason', read: () => info().stats.crashed });
  metrics.gauge({
    name: `${prefix}mailbox_messages`,
    help: `Messages waiting in the longest mailboxes of the node (at most ${topMailboxes} processes, only non-empty mailboxes)`,
    labelNames: ['pid', 'name', 'type'],
    read: () => longestMailboxes(node, topMailboxes).map((e): Series => [{ pid: e.pid, name: e.name, type: e.type }, e.messages]),
  });
}

/** How finely the event-loop delay is sampled, in ms. */
const RESOLUTION_MS = 10;

/**
 * The event loop of the process the node runs in: its delay (perf_hooks monitorEventLoopDelay)
 * and utilisation (performance.eventLoopUtilization), both over the time since the previous scrape.
 * Several nodes in one process share the event loop: each reports the same loop. Returns the
 * function that stops the delay monitor.
 */
export function registerEventLoopMetrics(metrics: SnapshotMetrics, prefix: string): () => void {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();

  metrics.gauge({
    name: `${prefix}event_loop_lag_seconds`,
    help: `Event-loop delay since the previous scrape, beyond the ${RESOLUTION_MS} ms sampling interval: min, mean, max and percentiles p50, p90, p99`,
    labelNames: ['stat'],
    read: () => {
      if (histogram.count === 0) return [];
      // The monitor records whole intervals between its timer's runs: the delay is what exceeds the interval.
      const s = (ns: number): number => Math.max(0, ns / 1e9 - RESOLUTION_MS / 1000);
      const series: Series[] = [
        [{ stat: 'min' }, s(histogram.min)],
        [{ stat: 'mean' }, s(histogram.mean)],
        [{ stat: 'max' }, s(histogram.max)],
        [{ stat: 'p50' }, s(histogram.percentile(50))],
        [{ stat: 'p90' }, s(histogram.percentile(90))],
        [{ stat: 'p99' }, s(histogram.percentile(99))],
      ];
      histogram.reset();
      return series;
    },
  });
  metrics.gauge({
    name: `${prefix}event_loop_utilization`,
    help: 'Share of the time since the previous scrape the event loop was busy (0..1)',
    read: () => {
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, lastElu);
      lastElu = now;
      return delta.utilization;
    },
  });
  return () => histogram.disable();
}
