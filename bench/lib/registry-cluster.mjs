// A registry cluster of a scenario: this program's node (the driver, "A", with its registry) and
// `size - 1` member nodes, each its own OS process (bench/peers/registry-peer.mjs), on loopback.
// The driver connects to every peer (the full mesh forms transitively) and waits until every
// member's view of the global scope has `size` members and is stable before anything is measured.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startPeer } from './children.mjs';
import { PEER_FUNCTIONS, describeScope, startRegistryNode, viewReady, waitUntil } from './registry.mjs';
import { newCookie, nodeName, silentLogger, stopNode } from './sdnode.mjs';

const PEER = fileURLToPath(new URL('../peers/registry-peer.mjs', import.meta.url));
/** Extra Node.js options for the peers, e.g. SDNODE_BENCH_PEER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
const PEER_NODE_ARGS = (process.env.SDNODE_BENCH_PEER_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * Start one registry peer node with `cookie` and the global scope options `scope`; resolves with
 * { name, address, stop(), kill() } once it listens. kill() sends SIGKILL to its process (by pid).
 */
export async function startRegistryPeer(cookie, scope, label = 'registry peer') {
  const name = `bench_member_${process.pid}_${randomBytes(3).toString('hex')}@127.0.0.1`;
  const peer = startPeer(process.execPath, [...PEER_NODE_ARGS, PEER, name, JSON.stringify(scope)], { env: { SDNODE_BENCH_COOKIE: cookie }, label });
  try {
    const line = await peer.nextLine((l) => l.startsWith('READY '), 30_000);
    const { address } = JSON.parse(line.slice(6));
    const exited = new Promise((resolve) => (peer.child.exitCode !== null ? resolve() : peer.child.once('exit', resolve)));
    return {
      name,
      address,
      stop: () => peer.stop(5000),
      kill() {
        peer.child.kill('SIGKILL');
        return exited;
      },
    };
  } catch (err) {
    await peer.stop();
    throw err;
  }
}

/**
 * Start the driver node and `size - 1` peers with the global scope options `scope`, mesh them and
 * wait for a stable view of `size` everywhere. Returns { node, registry, global, peers, rpc, stop() }.
 */
export async function startRegistryCluster(loaded, { size, scope, role = 'driver' }) {
  const cookie = newCookie();
  const peers = await Promise.all(Array.from({ length: size - 1 }, (_, i) => startRegistryPeer(cookie, scope, `registry peer ${i + 1}`)));
  let a;
  try {
    a = await startRegistryNode(loaded, { name: nodeName(role), cookie, scope, logger: silentLogger });
    for (const p of peers) await a.node.connect(p.name, { address: p.address, timeout: 10_000 });
    const rpc = (peer, fn, args, timeout = 90_000) => a.node.rpc(peer.name, fn, args, { timeout });
    await Promise.all([
      waitUntil(() => viewReady(a.global, size), { intervalMs: 5, timeoutMs: 30_000, what: `driver: view of ${size}`, describe: () => describeScope(a.global) }),
      ...peers.map((p) => rpc(p, PEER_FUNCTIONS.awaitView, [size, 30_000], 35_000)),
    ]);
    return {
      ...a,
      peers,
      rpc,
      async stop() {
        await stopNode(a.node);
        await Promise.all(peers.map((p) => p.stop()));
      },
    };
  } catch (err) {
    if (a) await stopNode(a.node);
    await Promise.all(peers.map((p) => p.stop()));
    throw err;
  }
}

/** CPU milliseconds (user + system) used so far by the driver's OS process and each peer's, in that order. */
export async function cpuTimes({ peers, rpc }) {
  const { user, system } = process.cpuUsage();
  return [(user + system) / 1000, ...(await Promise.all(peers.map((p) => rpc(p, PEER_FUNCTIONS.cpuUsage, []))))];
}
