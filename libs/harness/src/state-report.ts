import type { ClusterNode } from './cluster-node.js';
import type { NodeLog } from './logs/node-log.js';
import type { NodeState } from './node-side/harness-functions.js';
import type { SGroupsSummary } from './node-side/sgroup-functions.js';
import type { PlacementSummary } from './node-side/placement-rpc.js';

/** What the report shows of a node: its own view (rpc), or why that could not be had. */
export type StateAnswer = { readonly ok: true; readonly state: NodeState } | { readonly ok: false; readonly reason: string };

const str = (v: unknown): string => String(v);
const list = (xs: readonly string[]): string => (xs.length === 0 ? '(none)' : xs.join(', '));

const KIND: Record<SGroupsSummary['kind'], string> = { sgroup: 's_group node', free: 'free node', hidden: 'hidden node' };

function formatSGroups(s: SGroupsSummary): string[] {
  const lines = [`  s_groups: ${KIND[s.kind]}${s.otherGroups.length > 0 ? `; knows of ${s.otherGroups.join(', ')}` : ''}${s.dropped > 0 ? `; ${s.dropped} ops dropped` : ''}`];
  for (const g of s.groups) lines.push(`    ${g.name} v${g.version} (${g.by}): ${g.members.join(', ')}`);
  if (s.unreachable.length > 0) lines.push(`    members not connected: ${s.unreachable.join(', ')}`);
  if (s.superseded.length > 5) lines.push(`    ${s.superseded.length - 5} more superseded definitions`);
  for (const x of s.superseded.slice(-5)) {
    lines.push(`    superseded ${x.group}: kept [${x.kept.join(', ')}], dropped [${x.dropped.join(', ')}]${x.configMismatch ? ' (cluster files disagree)' : ''}`);
  }
  return lines;
}

const kv = (o: Readonly<Record<string, unknown>>): string =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${str(v)}`)
    .join(', ');

/** The node's placement view: where it is, and every node it knows with its load and round trip. */
function formatPlacement(p: PlacementSummary, self: string): string[] {
  const where = Object.keys(p.location).length === 0 ? 'no location' : `location ${kv(p.location)}`;
  const lines = [
    `  placement: knows ${p.known} node${p.known === 1 ? '' : 's'}; ${where} (levels ${p.levels.join(' > ')}); policies ${list(p.policies)}${p.dropped > 0 ? `; ${p.dropped} messages dropped` : ''}`,
  ];
  for (const n of p.nodes) {
    const parts = [
      n.load !== undefined ? `load ${n.load}` : 'no load',
      n.processes !== undefined ? `${n.processes} processes` : '',
      n.node === self ? '' : `rtt ${n.rtt === null ? '-' : `${n.rtt} ms`}`,
      n.node === self ? '' : `heard ${n.age} ms ago`,
      Object.keys(n.location).length > 0 ? kv(n.location) : '',
      Object.keys(n.attributes).length > 0 ? kv(n.attributes) : '',
    ].filter((x) => x !== '');
    lines.push(`    ${n.node}${n.node === self ? ' (self)' : ''}: ${parts.join('; ')}`);
  }
  if (p.known > p.nodes.length) lines.push(`    ... ${p.known - p.nodes.length} more`);
  return lines;
}

function formatState(state: NodeState, limit: number): string[] {
  const lines = [`  visible nodes (its own view): ${list(state.nodes)}`, `  point to point: ${list(state.pointToPoint)}`, `  hidden nodes: ${list(state.hiddenNodes)}`];
  if (state.sgroups !== undefined) lines.push(...formatSGroups(state.sgroups));
  if (state.placement !== undefined) lines.push(...formatPlacement(state.placement, state.name));
  if (state.blocked.length > 0) lines.push(`  partitioned from: ${state.blocked.join(', ')}`);
  if (state.outboundDelay > 0) lines.push(`  outbound delay: ${state.outboundDelay} ms (every frame it sends)`);
  const names = Object.entries(state.registered).map(([name, pid]) => `${name}=${str(pid)}`);
  lines.push(`  registered: ${names.length === 0 ? '(none)' : names.join(', ')}`);
  for (const sc of state.scopes ?? []) {
    const sample = Object.entries(sc.sample).map(([name, pid]) => `${name}=${str(pid)}`);
    lines.push(
      `  scope ${sc.scope} (${sc.mode}, ${sc.state}${sc.waitingFor.length > 0 ? `, waiting for ${sc.waitingFor.join(', ')}` : ''}): members ${sc.members.join(', ')}; ${sc.names} names${sc.conflicts > 0 ? `, ${sc.conflicts} conflicts` : ''}${sc.groups > 0 ? `, ${sc.groups} groups` : ''}${sc.dropped > 0 ? `, ${sc.dropped} ops dropped` : ''}${sample.length > 0 ? `: ${sample.join(', ')}` : ''}`,
    );
  }
  lines.push(`  processes (${state.processCount}):`);
  for (const p of state.processes.slice(0, limit)) {
    lines.push(`    ${str(p.pid)} ${p.name ?? '-'} ${p.type} ${p.status}${p.queue > 0 ? ` queue=${p.queue}` : ''}`);
  }
  if (state.processCount > Math.min(limit, state.processes.length)) lines.push(`    ... ${state.processCount - Math.min(limit, state.processes.length)} more`);
  return lines;
}

/**
 * The state of one node for a failure report: status, where it runs, the connections its events
 * show, its own view through rpc (nodes, processes, registered names), and its last log lines.
 */
export function formatNodeReport(node: ClusterNode, answer: StateAnswer, options: { logLines?: number; processes?: number } = {}): string {
  const inst = node.lastInstance;
  const head = [
    `--- ${node.name}${node.hidden ? ' (hidden)' : ''}: ${node.status}${node.log.status !== undefined && !node.isUp ? ` (${node.log.status})` : ''}`,
    inst === undefined ? '' : `, ${inst.where}, ${inst.dialAddress}, creation ${inst.creation}`,
    node.restarts > 0 ? `, restarted ${node.restarts}x` : '',
  ].join('');
  const connected = node.connected({ hidden: true });
  const lines = [head, `  connected (from its events): ${connected.length === 0 ? '(none)' : connected.join(', ')}`];
  if (answer.ok) lines.push(...formatState(answer.state, options.processes ?? 25));
  else lines.push(`  its own view: unavailable (${answer.reason})`);
  lines.push(`  last log lines:`, node.log.tail(options.logLines ?? 20));
  return lines.join('\n');
}

/** A node's own view for the report, or why it is unavailable (frozen, not running, no answer). */
async function ask(m: ClusterNode, state: (name: string) => Promise<NodeState>): Promise<StateAnswer> {
  if (m.status === 'frozen') return { ok: false, reason: 'frozen' };
  if (m.instance === undefined) return { ok: false, reason: `not running: ${m.status}` };
  try {
    return { ok: true, state: await state(m.name) };
  } catch (error) {
    return { ok: false, reason: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** The report of every node (asked in parallel) and of the driver. */
export async function clusterReport(
  members: readonly ClusterNode[],
  state: (name: string) => Promise<NodeState>,
  driver: { readonly driver: string; readonly log: NodeLog },
  options: { logLines?: number } = {},
): Promise<string> {
  const answers = await Promise.all(members.map((m) => ask(m, state)));
  const parts = members.map((m, i) => formatNodeReport(m, answers[i]!, options));
  parts.push(`--- driver ${driver.driver} (hidden, in the test process)\n  last log lines:\n${driver.log.tail(10)}`);
  return parts.join('\n');
}
