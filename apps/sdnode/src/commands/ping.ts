import { parseRemoteQuery, withHiddenNode, type RemoteQueryFlags } from './remote-query.js';

/** `sdnode ping NAME --at ADDR`: prints `pong` (exit 0) or `pang` (exit 1), like net_adm:ping/1. */
export async function pingCommand(target: string, flags: RemoteQueryFlags, out: NodeJS.WritableStream): Promise<number> {
  const query = parseRemoteQuery(target, flags);
  try {
    const answer = await withHiddenNode(query, (node, name) => node.rpc(name, 'sdnode.ping', [], { timeout: query.timeout }));
    if (answer === 'pong') {
      out.write('pong\n');
      return 0;
    }
  } catch {
    // any failure to reach the node or to get an answer is a pang
  }
  out.write('pang\n');
  return 1;
}
