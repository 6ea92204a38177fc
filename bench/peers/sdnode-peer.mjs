// The peer node of the remote sdnode scenarios: a Node from the built @sdnode/core with the bench
// process types, on loopback. Usage: SDNODE_BENCH_COOKIE=... node sdnode-peer.mjs <name>
// Prints `READY {"name","address"}` once it listens; stops when its stdin closes. SDNODE_CARRIER
// (zmq|net) picks the transport carrier, as for the driver node.
import { carrierOption, listenAddress, loadCore, stopNode } from '../lib/sdnode.mjs';

const name = process.argv[2];
const cookie = process.env.SDNODE_BENCH_COOKIE;
if (!name || !cookie) {
  process.stderr.write('usage: SDNODE_BENCH_COOKIE=<cookie> node sdnode-peer.mjs <name@host>\n');
  process.exit(2);
}

const loaded = await loadCore();
const node = await loaded.core.Node.start({ name, cookie, listen: 'tcp://127.0.0.1:0', ...carrierOption(), types: loaded.types.all });
process.stdin.on('end', async () => {
  await stopNode(node);
  process.exit(0);
});
process.stdin.resume();
process.stdout.write(`READY ${JSON.stringify({ name, address: listenAddress(node) })}\n`);
