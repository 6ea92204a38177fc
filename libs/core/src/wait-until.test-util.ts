import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { Node, type NodeOptions } from './index.js';

/** Wait until `condition` holds, polling on timers; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A local-only node for tests; stop it in afterEach. */
export function localNode(name = 'test@127.0.0.1', options: Partial<NodeOptions> = {}): Promise<Node> {
  return Node.start({ name, cookie: 'test', transport: null, ...options });
}

export interface ClusterOptions {
  readonly encode?: boolean;
  readonly hidden?: readonly string[];
  readonly netTickTime?: number;
  readonly handshakeTimeout?: number;
  readonly nodeOptions?: Partial<NodeOptions>;
}

/** Start nodes named `<n>@127.0.0.1` on one MemoryNetwork (optionally forcing encode/decode). */
export async function memoryCluster(
  names: readonly string[],
  options: ClusterOptions = {},
): Promise<{ network: MemoryNetwork; nodes: Node[]; stop: () => Promise<void> }> {
  const network = new MemoryNetwork();
  const nodes: Node[] = [];
  for (const n of names) nodes.push(await memoryNode(network, n, options));
  return { network, nodes, stop: async () => void (await Promise.all(nodes.map((x) => x.stop()))) };
}

export async function memoryNode(
  network: MemoryNetwork,
  n: string,
  options: ClusterOptions = {},
): Promise<Node> {
  const name = n.includes('@') ? n : `${n}@127.0.0.1`;
  const hidden = options.hidden?.includes(n) ?? false;
  const transport = new MemoryTransport({
    network,
    name,
    cookie: 'test',
    hidden,
    encode: options.encode ?? false,
    ...(options.netTickTime !== undefined ? { netTickTime: options.netTickTime } : {}),
    ...(options.handshakeTimeout !== undefined ? { handshakeTimeout: options.handshakeTimeout } : {}),
  });
  return Node.start({ name, cookie: 'test', transport, hidden, ...options.nodeOptions });
}
