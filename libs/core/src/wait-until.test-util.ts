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
