import { parseRemoteQuery, withHiddenNode, type RemoteQueryFlags } from './remote-query.js';

interface NodeInfo {
  name: string;
  creation: number;
  address?: string;
  processCount: number;
  nodes: string[];
}

/** `sdnode info NAME --at ADDR`: the node's connected nodes and process count. */
export async function infoCommand(target: string, flags: RemoteQueryFlags & { json: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const query = parseRemoteQuery(target, flags);
  const info = (await withHiddenNode(query, (node, name) => node.rpc(name, 'sdnode.info', [], { timeout: query.timeout }))) as NodeInfo;
  if (flags.json) {
    out.write(`${JSON.stringify(info)}\n`);
  } else {
    out.write(`node:      ${info.name} (creation ${info.creation})\n`);
    if (info.address) out.write(`address:   ${info.address}\n`);
    out.write(`processes: ${info.processCount}\n`);
    out.write(`nodes:     ${info.nodes.length === 0 ? '(none)' : info.nodes.join(', ')}\n`);
  }
  return 0;
}
