// The peer node of the remote sdnode scenarios: a Node from the built @sdnode/core with the bench
// process types, on loopback. Usage: SDNODE_BENCH_COOKIE=... node sdnode-peer.mjs <name>
// Prints `READY {"name","address"}` once it listens; stops when its stdin closes. SDNODE_CARRIER
// (zmq|net) picks the transport carrier, as for the driver node. SDNODE_PEER_CPU_PROFILE=<file>
// writes a CPU profile of the peer (from READY to its stop) to that file (a development aid).
import { carrierOption, listenAddress, loadCore, stopNode } from '../lib/sdnode.mjs';

const name = process.argv[2];
const cookie = process.env.SDNODE_BENCH_COOKIE;
if (!name || !cookie) {
  process.stderr.write('usage: SDNODE_BENCH_COOKIE=<cookie> node sdnode-peer.mjs <name@host>\n');
  process.exit(2);
}

const loaded = await loadCore();
const node = await loaded.core.Node.start({ name, cookie, listen: 'tcp://127.0.0.1:0', ...carrierOption(), types: loaded.types.all });
const profile = await startProfile(process.env.SDNODE_PEER_CPU_PROFILE);
process.stdin.on('end', async () => {
  await profile?.();
  await stopNode(node);
  process.exit(0);
});
process.stdin.resume();
process.stdout.write(`READY ${JSON.stringify({ name, address: listenAddress(node) })}\n`);

/** Start the V8 CPU profiler; the returned function stops it and writes the profile to `file`. */
async function startProfile(file) {
  if (!file) return undefined;
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}
