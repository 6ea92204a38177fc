// The peer node of the placement scenarios: a Node from the built @sdnode/core with the bench
// process types and a Placement (@sdnode/placement) with the options given, on loopback; it
// reports its attributes to the nodes it sees, like any node with placement.
// Usage: SDNODE_BENCH_COOKIE=... node placement-peer.mjs <name> '<Placement options as JSON>'
// Prints `READY {"name","address"}` once it listens; stops when its stdin closes.
import { listenAddress, silentLogger, stopNode } from '../lib/sdnode.mjs';
import { loadPlacement } from '../lib/placement.mjs';

const [name, optionsJson = '{}'] = process.argv.slice(2);
const cookie = process.env.SDNODE_BENCH_COOKIE;
if (!name || !cookie) {
  process.stderr.write("usage: SDNODE_BENCH_COOKIE=<cookie> node placement-peer.mjs <name@host> '<Placement options JSON>'\n");
  process.exit(2);
}

const loaded = await loadPlacement();
const node = await loaded.core.Node.start({ name, cookie, listen: 'tcp://127.0.0.1:0', types: loaded.types.all, logger: silentLogger });
loaded.placement.Placement.start(node, JSON.parse(optionsJson));
process.stdin.on('end', async () => {
  await stopNode(node);
  process.exit(0);
});
process.stdin.resume();
process.stdout.write(`READY ${JSON.stringify({ name, address: listenAddress(node) })}\n`);
