import { performance } from 'node:perf_hooks';
import type { Node, RpcFunction } from '@sdnode/core';
import type { Registry } from '@sdnode/registry';
import type { SGroups } from '@sdnode/sgroups';
import { InvalidArgumentError, parsePid } from '@sdnode/wire';
import { connectionsOf, type NodeConnections } from './connections.js';

/**
 * The rpc functions `sdnode observe` reads a node through: one compact summary per poll (cheap
 * enough to ask every second of every node of a large cluster), and, on demand, the node's
 * processes and one process. Registered by `sdnode start` next to the harness functions.
 */
export const ObserveFunctions = {
  /** `({mailboxes?, names?}) => ObserveSummary`. */
  summary: 'sdnode.observe.summary',
  /** `(limit?) => {total, processes: ObservedProcess[]}`: longest mailboxes first. */
  processes: 'sdnode.observe.processes',
  /** `(pid: string) => ObservedProcessInfo | null`. */
  process: 'sdnode.observe.process',
} as const;

/** One process as the observer lists it (pids in their printable form, `<node.id.creation>`). */
export interface ObservedProcess {
  readonly pid: string;
  readonly name: string | null;
  readonly type: string;
  readonly status: string;
  readonly queue: number;
  /** The OTP behaviour it runs (gen_server, supervisor...): it answers Sys requests. Null: a plain process. */
  readonly behaviour: string | null;
}

export interface ObservedProcessInfo extends ObservedProcess {
  readonly links: string[];
  readonly monitors: number;
  readonly monitoredBy: number;
  readonly trapExit: boolean;
}

/** A node's load: event-loop utilisation since the previous summary, run queue, memory. */
export interface ObservedLoad {
  /** Event-loop utilisation (0..1) since the previous summary (or since the functions were made). */
  readonly elu: number;
  readonly runQueue: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
}

export interface ObservedGroup {
  readonly name: string;
  readonly members: readonly string[];
  readonly version: number;
  /** Does this node belong to it? */
  readonly own: boolean;
  /** Where members listen, as the definition says. */
  readonly addresses: Readonly<Record<string, string>>;
}

/** Names held in one registry scope of the node (at most `names` of them). */
export interface ObservedScope {
  readonly scope: string;
  readonly count: number;
  readonly names: Readonly<Record<string, string>>;
}

export interface ObserveSummary {
  readonly name: string;
  readonly creation: number;
  readonly address: string | null;
  readonly hidden: boolean;
  /** `sgroup`, `free` or `hidden` with s_groups; absent without. */
  readonly kind?: string;
  readonly connections: NodeConnections;
  /** Where the nodes this node knows listen (its connected peers, and those peers told it of). */
  readonly addresses: Readonly<Record<string, string>>;
  /** Every s_group it knows (its own and the others it heard of). */
  readonly groups: readonly ObservedGroup[];
  /** Members of its groups it is not connected to. */
  readonly unreachable: readonly string[];
  readonly processCount: number;
  readonly load: ObservedLoad;
  /** The longest mailboxes (non-empty ones only), longest first. */
  readonly mailboxes: readonly ObservedProcess[];
  /** Locally registered names, then one entry per registry scope. */
  readonly names: readonly ObservedScope[];
}

export interface ObserveFunctionsOptions {
  readonly registry?: Registry | undefined;
  readonly sgroups?: SGroups | undefined;
  /** Where known nodes listen (e.g. the SGroupPolicy's `addresses(node.address)`). */
  readonly addresses?: (() => Record<string, string>) | undefined;
}

const MIB = 1024 * 1024;
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function count(value: unknown, fallback: number, what: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new InvalidArgumentError(what, 'expected a count (an integer >= 0)');
  return value;
}

function behaviourOf(node: Node, type: string): string | null {
  const otp = (node.processType(type) as { otp?: unknown } | undefined)?.otp;
  return typeof otp === 'string' ? otp : null;
}

function describe(node: Node, pid: ReturnType<Node['processes']>[number]): ObservedProcessInfo | undefined {
  const info = node.processInfo(pid);
  if (info === undefined) return undefined;
  return {
    pid: info.pid.toString(),
    name: info.name ?? null,
    type: info.type,
    status: info.status,
    queue: info.messageQueueLength,
    behaviour: behaviourOf(node, info.type),
    links: info.links.map((p) => p.toString()),
    monitors: info.monitors.length,
    monitoredBy: info.monitoredBy,
    trapExit: info.trapExit,
  };
}

const brief = (p: ObservedProcessInfo): ObservedProcess => ({ pid: p.pid, name: p.name, type: p.type, status: p.status, queue: p.queue, behaviour: p.behaviour });

/** The `limit` processes with the longest mailboxes (ties: pid order), and how many there are. */
function longest(node: Node, limit: number, nonEmptyOnly: boolean): { total: number; processes: ObservedProcess[] } {
  const pids = node.processes();
  const rows: Array<{ pid: (typeof pids)[number]; queue: number }> = [];
  for (const pid of pids) {
    const queue = node.processInfo(pid)?.messageQueueLength;
    if (queue === undefined || (nonEmptyOnly && queue === 0)) continue;
    rows.push({ pid, queue });
  }
  rows.sort((a, b) => b.queue - a.queue);
  const processes: ObservedProcess[] = [];
  for (const r of rows.slice(0, limit)) {
    const d = describe(node, r.pid);
    if (d !== undefined) processes.push(brief(d));
  }
  return { total: pids.length, processes };
}

function names(node: Node, registry: Registry | undefined, limit: number): ObservedScope[] {
  const local = node.registered();
  const out: ObservedScope[] = [
    { scope: 'local', count: local.length, names: Object.fromEntries(local.slice(0, limit).flatMap((n) => { const p = node.whereis(n); return p === undefined ? [] : [[n, p.toString()]]; })) },
  ];
  for (const s of registry?.scopes() ?? []) {
    const held = s.registeredNames();
    const shown: Record<string, string> = {};
    for (const n of held.slice(0, limit)) {
      const p = s.whereis(n);
      if (p !== undefined) shown[n] = p.toString();
    }
    out.push({ scope: s.info().scope, count: held.length, names: shown });
  }
  return out;
}

/**
 * The observe functions of a node. With s_groups the summary says the node's kind and every
 * group it knows (with the members' addresses); with a registry, the names of each scope.
 */
export function observeFunctions(node: Node, options: ObserveFunctionsOptions = {}): Record<string, RpcFunction> {
  // Per node, not per module: the utilisation since this node's previous summary.
  let lastElu = performance.eventLoopUtilization();
  const load = (): ObservedLoad => {
    const now = performance.eventLoopUtilization();
    const elu = performance.eventLoopUtilization(now, lastElu).utilization;
    lastElu = now;
    const mem = process.memoryUsage();
    return { elu: round(Number.isFinite(elu) ? elu : 0, 3), runQueue: node.info().stats.runQueue, rssMiB: round(mem.rss / MIB, 1), heapUsedMiB: round(mem.heapUsed / MIB, 1) };
  };
  const { registry, sgroups } = options;
  return {
    [ObserveFunctions.summary]: (opts: unknown = {}): ObserveSummary => {
      const o = (typeof opts === 'object' && opts !== null ? opts : {}) as { mailboxes?: unknown; names?: unknown };
      const info = sgroups?.info();
      const own = new Set(info?.ownGroups.map((g) => g.name) ?? []);
      return {
        name: node.name,
        creation: node.creation,
        address: node.address ?? null,
        hidden: node.hidden,
        ...(info !== undefined ? { kind: info.kind } : node.hidden ? { kind: 'hidden' } : {}),
        connections: connectionsOf(node),
        addresses: options.addresses?.() ?? {},
        groups: (sgroups?.groups() ?? [])
          .filter((g) => !g.deleted)
          .map((g) => ({ name: g.name, members: [...g.members], version: g.version.n, own: own.has(g.name), addresses: { ...g.addresses } })),
        unreachable: [...(info?.unreachable ?? [])],
        processCount: node.info().processCount,
        load: load(),
        mailboxes: longest(node, count(o.mailboxes, 5, 'mailboxes'), true).processes,
        names: names(node, registry, count(o.names, 50, 'names')),
      };
    },
    [ObserveFunctions.processes]: (limit: unknown) => longest(node, count(limit, 1000, 'limit'), false),
    [ObserveFunctions.process]: (pid: unknown) => {
      const p = typeof pid === 'string' ? parsePid(pid) : undefined;
      if (p === undefined) throw new InvalidArgumentError('pid', 'expected a pid, <node.id.creation>');
      return describe(node, p) ?? null;
    },
  };
}
