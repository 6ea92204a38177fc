// registry.whereis / registry.whereis.home: local lookups per second in a replicated global scope
// of two nodes (the driver A and a peer B, each its own OS process). A registers n names (n live
// processes of its own, one name each); once B holds them all, `whereis` is called for the n
// names round-robin, 250 lookups per name (5 M for 20 k names), after a warm-up of 1/5 of that:
// - registry.whereis: on B, whose entries point at another node's pids (the lookup is a map read);
// - registry.whereis.home: on A, the home of the pids, where a lookup also checks that the local
//   process is alive (what a lookup of a name of a local process costs).
// Every lookup must resolve. Counterpart: sdbench_registry:whereis/1 (global:whereis_name/1 in a
// loop over n registered names, the same count), which reads the same table on every node.
import { emit, main, scenarioArgs } from '../lib/result.mjs';
import { PEER_FUNCTIONS, loadRegistry, names, registerAll, spawnIdle, timedLookups } from '../lib/registry.mjs';
import { startRegistryCluster } from '../lib/registry-cluster.mjs';

const LOOKUPS_PER_NAME = 250;

function checked(result, total, where) {
  if (result.found !== total) throw new Error(`${where}: ${result.found} of ${total} lookups resolved`);
  return total / result.seconds;
}

main(async () => {
  const { n } = scenarioArgs(20_000);
  const total = n * LOOKUPS_PER_NAME;
  const warmup = Math.ceil(total / 5);
  const loaded = await loadRegistry();
  const cluster = await startRegistryCluster(loaded, { size: 2, scope: { mode: 'replicated' } });
  const { node, global: g, peers, rpc } = cluster;
  const [b] = peers;
  try {
    const list = names('name.', n);
    await registerAll(g, list, spawnIdle(node, loaded.types, n), 60_000);
    await rpc(b, PEER_FUNCTIONS.awaitCount, [n, 60_000]);
    await rpc(b, PEER_FUNCTIONS.lookups, ['name.', n, warmup]);
    const member = checked(await rpc(b, PEER_FUNCTIONS.lookups, ['name.', n, total]), total, 'member');
    timedLookups(g, list, warmup);
    const home = checked(timedLookups(g, list, total), total, 'home');
    emit('registry.whereis', member, 'lookups/s', { n: total, names: n });
    emit('registry.whereis.home', home, 'lookups/s', { n: total, names: n });
  } finally {
    await cluster.stop();
  }
});
