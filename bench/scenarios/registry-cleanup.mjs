// registry.cleanup.100k: milliseconds from killing a node (SIGKILL to its OS process) that holds n
// names (100 k; 20 k with --quick) of its own processes until no other member resolves any of
// them: every other member's count() has dropped by n (to 0: those are the only names). A
// replicated global scope of three nodes, each its own OS process: the driver A, the victim V and
// another member C. V spawns n processes and registers them (pipelined); once A and C hold all n,
// the driver asks C to report when it holds none (C checks every millisecond), starts the clock
// and kills V; it checks its own count every millisecond. The members learn of the death from the
// connection closing (the transport's disconnect event), not from a tick timeout.
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { PEER_FUNCTIONS, describeScope, loadRegistry, settleLater, waitUntil } from '../lib/registry.mjs';
import { startRegistryCluster } from '../lib/registry-cluster.mjs';

main(async () => {
  const { n } = scenarioArgs(100_000);
  const loaded = await loadRegistry();
  const cluster = await startRegistryCluster(loaded, { size: 3, scope: { mode: 'replicated' } });
  const { global: g, peers, rpc } = cluster;
  const [victim, other] = peers;
  try {
    const t = nowNs();
    await rpc(victim, PEER_FUNCTIONS.registerOwn, ['name.', n, 90_000], 100_000);
    await Promise.all([
      waitUntil(() => g.count() === n, { intervalMs: 5, timeoutMs: 60_000, what: `driver: ${n} names`, describe: () => describeScope(g) }),
      rpc(other, PEER_FUNCTIONS.awaitCount, [n, 60_000]),
    ]);
    process.stderr.write(`${n} names registered on the victim and replicated in ${((nowNs() - t) / 1e6).toFixed(0)} ms\n`);
    const otherEmpty = settleLater(rpc(other, PEER_FUNCTIONS.awaitCount, [0, 60_000]));
    await new Promise((r) => setTimeout(r, 50)); // the request reaches C before the clock starts
    const t0 = nowNs();
    const killed = victim.kill();
    await waitUntil(() => g.count() === 0, { timeoutMs: 60_000, what: 'driver: names of the killed node gone', describe: () => describeScope(g) });
    const driverMs = (nowNs() - t0) / 1e6;
    await otherEmpty;
    const ms = (nowNs() - t0) / 1e6;
    await killed;
    process.stderr.write(`names gone on the driver after ${driverMs.toFixed(1)} ms, on the other member after at most ${ms.toFixed(1)} ms\n`);
    emit('registry.cleanup.100k', ms, 'ms', { n });
  } finally {
    await cluster.stop();
  }
});
