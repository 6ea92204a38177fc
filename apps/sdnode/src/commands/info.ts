import { RegistryFunctions, type ScopeInfo } from '@sdnode/registry';
import { parseRemoteQuery, withHiddenNode, type RemoteQueryFlags } from './remote-query.js';

interface NodeInfo {
  name: string;
  creation: number;
  address?: string;
  processCount: number;
  nodes: string[];
  hiddenNodes?: string[];
  /** The node's registry scopes (absent when it runs no registry). */
  scopes?: ScopeInfo[];
  /** With --names: names held per scope (at most 1000 each). */
  names?: Record<string, Record<string, unknown>>;
}

/** `sdnode info NAME --at ADDR`: the node's connected nodes, process count and registry scopes. */
export async function infoCommand(target: string, flags: RemoteQueryFlags & { json: boolean; names?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const query = parseRemoteQuery(target, flags);
  const info = await withHiddenNode(query, async (node, name) => {
    const base = (await node.rpc(name, 'sdnode.info', [], { timeout: query.timeout })) as NodeInfo;
    let scopes: ScopeInfo[] | undefined;
    try {
      scopes = (await node.rpc(name, RegistryFunctions.info, [], { timeout: query.timeout })) as ScopeInfo[];
    } catch {
      scopes = undefined; // a node without a registry
    }
    const names: Record<string, Record<string, unknown>> = {};
    if (flags.names === true) {
      for (const s of scopes ?? []) names[s.scope] = (await node.rpc(name, RegistryFunctions.names, [s.scope, 1000], { timeout: query.timeout })) as Record<string, unknown>;
    }
    return { ...base, ...(scopes !== undefined ? { scopes } : {}), ...(flags.names === true ? { names } : {}) };
  });
  if (flags.json) {
    out.write(`${JSON.stringify(info)}\n`);
    return 0;
  }
  out.write(`node:      ${info.name} (creation ${info.creation})\n`);
  if (info.address) out.write(`address:   ${info.address}\n`);
  out.write(`processes: ${info.processCount}\n`);
  out.write(`nodes:     ${info.nodes.length === 0 ? '(none)' : info.nodes.join(', ')}\n`);
  for (const s of info.scopes ?? []) {
    const extra = [s.conflicts > 0 ? `${s.conflicts} conflicts` : '', s.groups > 0 ? `${s.groups} groups` : '', s.waitingFor.length > 0 ? `waiting for ${s.waitingFor.join(', ')}` : '']
      .filter((x) => x !== '')
      .join(', ');
    out.write(`scope:     ${s.scope} (${s.mode}, ${s.state}): ${s.members.length} members, ${s.names} names${extra === '' ? '' : `, ${extra}`}\n`);
    for (const [n, pid] of Object.entries(info.names?.[s.scope] ?? {})) out.write(`  ${n} ${String(pid)}\n`);
  }
  return 0;
}
