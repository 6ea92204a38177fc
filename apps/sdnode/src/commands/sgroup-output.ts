import type { ChangeResult, GroupDefinition, SGroupsInfo } from '@sdnode/sgroups';

/** A membership change as the CLI asks the node for it (SGroupFunctions.change's `op`). */
export type SGroupOp = 'new' | 'delete' | 'add' | 'remove';

const DONE: Record<SGroupOp, string> = { new: 'created', delete: 'deleted', add: 'changed', remove: 'changed' };

export const KIND_TEXT: Record<string, string> = { sgroup: 's_group node', free: 'free node', hidden: 'hidden node' };

const version = (v: { n: number; by: string }): string => `version ${v.n} by ${v.by}`;

/** The lines of `sdnode sgroup create|add|remove|delete`: the definition now, and every node left out. */
export function formatChange(op: SGroupOp, node: string, result: ChangeResult): string {
  const d = result.definition;
  const lines = [`${DONE[op]} s_group ${d.name} on ${node} (${version(d.version)})`];
  if (!d.deleted) lines.push(`members: ${d.members.join(', ')}`);
  for (const p of result.notJoined) lines.push(`not joined: ${p.node} (${p.reason})`);
  for (const p of result.notReached) lines.push(`not reached: ${p.node} (${p.reason}); it catches up when it meets a member again`);
  return `${lines.join('\n')}\n`;
}

/** The JSON line of a change: the node asked, the op, the agreed definition and the nodes left out. */
export function changeJson(op: SGroupOp, node: string, result: ChangeResult): string {
  return `${JSON.stringify({ node, op, definition: result.definition, notJoined: result.notJoined, notReached: result.notReached })}\n`;
}

function table(rows: ReadonlyArray<readonly [string, string, string]>): string[] {
  const w0 = Math.max(0, ...rows.map((r) => r[0].length));
  const w1 = Math.max(0, ...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
}

/** `sdnode sgroup list`: the node's kind, its groups (members, versions), the other groups it knows of. */
export function formatList(info: SGroupsInfo, known: readonly GroupDefinition[]): string {
  const lines = [`node: ${info.node} (${KIND_TEXT[info.kind] ?? info.kind})`];
  if (info.ownGroups.length > 0) {
    lines.push('s_groups:', ...table(info.ownGroups.map((g) => [g.name, version({ n: g.version, by: g.by }), g.members.join(', ')] as const)));
  }
  if (info.unreachable.length > 0) lines.push(`members not connected: ${info.unreachable.join(', ')}`);
  const others = known.filter((d) => !d.members.includes(info.node)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (others.length > 0) {
    lines.push('other s_groups known here:', ...table(others.map((d) => [d.name, version(d.version), d.members.join(', ')] as const)));
  }
  for (const s of info.superseded) {
    lines.push(`superseded ${s.group}: kept [${s.kept.join(', ')}], dropped [${s.dropped.join(', ')}]${s.configMismatch ? ' (cluster files disagree)' : ''}`);
  }
  if (info.dropped > 0) lines.push(`membership messages dropped: ${info.dropped}`);
  return `${lines.join('\n')}\n`;
}

/** `sdnode sgroup list --json`: the node's SGroupsInfo plus every live group known there. */
export function listJson(info: SGroupsInfo, known: readonly GroupDefinition[]): string {
  return `${JSON.stringify({ ...info, known: known.map((d) => ({ name: d.name, members: d.members, version: d.version })) })}\n`;
}
