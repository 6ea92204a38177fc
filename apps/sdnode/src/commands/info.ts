import type { Node } from '@sdnode/core';
import { HarnessFunctions, type NodeConnections } from '@sdnode/harness';
import { RegistryFunctions, type ScopeInfo } from '@sdnode/registry';
import { SGroupFunctions, type SGroupsInfo } from '@sdnode/sgroups';
import { PlacementFunctions, type PlacementInfo } from '@sdnode/placement';
import { parseRemoteQuery, withHiddenNode, type RemoteQueryFlags } from './remote-query.js';
import { KIND_TEXT } from './sgroup-output.js';

interface NodeInfo {
  name: string;
  creation: number;
  address?: string;
  hidden?: boolean;
  processCount: number;
  /** Visible connected nodes (with s_groups: the members of its groups, or the free nodes). */
  nodes: string[];
  /** Connected visible nodes outside `nodes` (absent from nodes that do not tell). */
  pointToPoint?: string[];
  /** Connected hidden nodes, this inspector left out. */
  hiddenNodes?: string[];
  /** `sgroup`, `free` or `hidden` (absent when the node runs no s_groups and is not hidden). */
  kind?: string;
  /** The node's s_groups (absent when it runs none). */
  sgroups?: SGroupsInfo;
  /** The node's registry scopes (absent when it runs no registry). */
  scopes?: ScopeInfo[];
  /** The node's placement: levels, location, how many nodes its view holds, policies (absent when it runs none). */
  placement?: PlacementInfo;
  /** With --names: names held per scope (at most 1000 each). */
  names?: Record<string, Record<string, unknown>>;
}

/** An optional part of the answer: undefined when the node does not have it (no such rpc function). */
async function optional<T>(node: Node, target: string, fn: string, timeout: number): Promise<T | undefined> {
  try {
    return (await node.rpc(target, fn, [], { timeout })) as T;
  } catch {
    return undefined;
  }
}

async function gather(node: Node, target: string, timeout: number, withNames: boolean): Promise<NodeInfo> {
  const base = (await node.rpc(target, 'sdnode.info', [], { timeout })) as NodeInfo;
  const scopes = await optional<ScopeInfo[]>(node, target, RegistryFunctions.info, timeout);
  const sgroups = await optional<SGroupsInfo>(node, target, SGroupFunctions.info, timeout);
  const connections = await optional<NodeConnections>(node, target, HarnessFunctions.connections, timeout);
  const placement = await optional<PlacementInfo>(node, target, PlacementFunctions.info, timeout);
  const names: Record<string, Record<string, unknown>> = {};
  if (withNames) {
    for (const s of scopes ?? []) names[s.scope] = (await node.rpc(target, RegistryFunctions.names, [s.scope, 1000], { timeout })) as Record<string, unknown>;
  }
  const kind = sgroups?.kind ?? (base.hidden === true ? 'hidden' : undefined);
  return {
    ...base,
    ...(connections !== undefined ? { nodes: connections.visible, pointToPoint: connections.pointToPoint } : {}),
    hiddenNodes: (connections?.hidden ?? base.hiddenNodes ?? []).filter((n) => n !== node.name),
    ...(kind !== undefined ? { kind } : {}),
    ...(sgroups !== undefined ? { sgroups } : {}),
    ...(scopes !== undefined ? { scopes } : {}),
    ...(placement !== undefined ? { placement } : {}),
    ...(withNames ? { names } : {}),
  };
}

const list = (xs: readonly string[] | undefined): string => (xs === undefined || xs.length === 0 ? '(none)' : xs.join(', '));
const row = (label: string, value: string): string => `${`${label}:`.padEnd(16)}${value}\n`;

/**
 * `sdnode info NAME --at ADDR`: the node's kind (s_group node, free, hidden), its s_groups, its
 * connections by kind (visible, point to point, hidden), process count, registry scopes, and its
 * placement (how many nodes its view holds, its location and levels, its policies).
 */
export async function infoCommand(target: string, flags: RemoteQueryFlags & { json: boolean; names?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const query = parseRemoteQuery(target, flags);
  const info = await withHiddenNode(query, (node, name) => gather(node, name, query.timeout, flags.names === true));
  if (flags.json) {
    out.write(`${JSON.stringify(info)}\n`);
    return 0;
  }
  out.write(row('node', `${info.name} (creation ${info.creation})`));
  if (info.kind !== undefined) out.write(row('kind', KIND_TEXT[info.kind] ?? info.kind));
  if (info.address) out.write(row('address', info.address));
  out.write(row('processes', String(info.processCount)));
  out.write(row('visible', list(info.nodes)));
  if (info.pointToPoint !== undefined) out.write(row('point to point', list(info.pointToPoint)));
  out.write(row('hidden', list(info.hiddenNodes)));
  for (const g of info.sgroups?.ownGroups ?? []) out.write(row('s_group', `${g.name} (version ${g.version} by ${g.by}): ${g.members.join(', ')}`));
  if ((info.sgroups?.unreachable.length ?? 0) > 0) out.write(row('not connected', list(info.sgroups?.unreachable)));
  if ((info.sgroups?.otherGroups.length ?? 0) > 0) out.write(row('knows of', list(info.sgroups?.otherGroups)));
  for (const s of info.scopes ?? []) {
    const extra = [s.conflicts > 0 ? `${s.conflicts} conflicts` : '', s.groups > 0 ? `${s.groups} groups` : '', s.waitingFor.length > 0 ? `waiting for ${s.waitingFor.join(', ')}` : '']
      .filter((x) => x !== '')
      .join(', ');
    out.write(row('scope', `${s.scope} (${s.mode}, ${s.state}): ${s.members.length} members, ${s.names} names${extra === '' ? '' : `, ${extra}`}`));
    for (const [n, pid] of Object.entries(info.names?.[s.scope] ?? {})) out.write(`  ${n} ${String(pid)}\n`);
  }
  const p = info.placement;
  if (p !== undefined) {
    const where = Object.entries(p.location).map(([k, v]) => `${k}=${v}`);
    out.write(row('placement', `knows ${p.nodes} node${p.nodes === 1 ? '' : 's'}; location ${where.length === 0 ? '(none)' : where.join(', ')}; levels ${p.levels.join(' > ')}`));
    out.write(row('policies', list(p.policies)));
  }
  return 0;
}
