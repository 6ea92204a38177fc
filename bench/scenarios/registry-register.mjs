// registry.register.n1 / .n2 / .n4 / .n6 / .flatness, registry.register.partitioned.n6:
// registrations per second of n distinct names (n live processes on the driver node, one name
// each), issued from the driver node with every register call started before any is awaited,
// in a global scope of 1, 2, 4 and 6 nodes (each its own OS process, a fresh cluster per size).
// The clock runs from the first call until every member holds every name it must:
// - replicated: every member's count() is n (the driver checks its own; each peer checks its own
//   every millisecond and answers the rpc made before the clock started);
// - partitioned: every node's count() is the number of names it must hold in the view: the
//   name's holders by the registry's ring (owner + `replicas`), and the driver, home of every pid
//   (the home keeps the entries of its own pids). The owner alone would answer a `find` at once,
//   and the driver, as home, holds every name at its ok: waiting for every copy is the honest end.
// Before the clock, each cluster registers a warm-up batch (JIT on every node) whose processes are
// then killed; the timed run starts once no member holds a name. flatness = n6 / n1 of the same run.
// stderr: per size, when the last `ok` came and the CPU time each node's process used meanwhile.
// Counterpart (replicated sizes): sdbench_registry:register/2 (global:register_name/2).
// Usage: node registry-register.mjs <n> [sizes=1,2,4,6] [mode=replicated|partitioned] [replicas=2] [figure=PREFIX]
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { PEER_FUNCTIONS, describeScope, expectedHoldings, loadRegistry, names, registerAll, scopeOptions, settleLater, spawnIdle, waitUntil } from '../lib/registry.mjs';
import { cpuTimes, startRegistryCluster } from '../lib/registry-cluster.mjs';

/** The timeout of each register call: the scope's default (5 s) is shorter than a batch of 20 k takes on a loaded machine. */
const CALL_TIMEOUT_MS = 60_000;

/**
 * Register `count` names `<prefix><i>` for fresh local processes; resolves with the seconds
 * until every member holds its share, the seconds until the last `ok`, the CPU milliseconds of
 * each node meanwhile, and the pids.
 */
async function timedRegistrations(loaded, cluster, scope, prefix, count) {
  const { node, global: g, peers, rpc } = cluster;
  const list = names(prefix, count);
  const pids = spawnIdle(node, loaded.types, count);
  const expected = expectedCounts(loaded, cluster, scope, list);
  const peersDone = settleLater(Promise.all(peers.map((p) => rpc(p, PEER_FUNCTIONS.awaitCount, [expected.get(p.name), 90_000]))));
  const cpu0 = await cpuTimes(cluster);
  const t0 = nowNs();
  await registerAll(g, list, pids, CALL_TIMEOUT_MS);
  const oks = nowNs();
  await waitUntil(() => g.count() === expected.get(node.name), { timeoutMs: 90_000, what: 'driver: all names', describe: () => describeScope(g) });
  await peersDone;
  const t1 = nowNs();
  const cpu = (await cpuTimes(cluster)).map((c, i) => c - cpu0[i]);
  return { seconds: (t1 - t0) / 1e9, okSeconds: (oks - t0) / 1e9, cpu, pids };
}

/** The count() each member must reach (every name, or in partitioned mode its share). */
function expectedCounts(loaded, cluster, scope, list) {
  const members = cluster.global.view().members;
  if (scope.mode === 'partitioned') return expectedHoldings(loaded.Ring, members, scope.replicas, list, cluster.node.name);
  return new Map(members.map((m) => [m, list.length]));
}

/**
 * Warm-up: register `count` names, then kill their processes and wait until no member holds a
 * name (the registry also stops watching those pids), so the timed run starts from an empty scope.
 */
async function warmUp(loaded, cluster, scope, count) {
  const { node, global: g, peers, rpc } = cluster;
  const { pids } = await timedRegistrations(loaded, cluster, scope, 'warm.', count);
  const peersEmpty = settleLater(Promise.all(peers.map((p) => rpc(p, PEER_FUNCTIONS.awaitCount, [0, 90_000]))));
  for (const pid of pids) node.exit(pid, { kind: 'kill' });
  await waitUntil(() => g.count() === 0, { timeoutMs: 90_000, what: 'driver: warm-up names gone', describe: () => describeScope(g) });
  await peersEmpty;
}

main(async () => {
  const { n, opts } = scenarioArgs(20_000);
  const scope = scopeOptions(opts);
  const sizes = (opts.sizes ?? '1,2,4,6').split(',').map(Number);
  const warmup = Math.min(2000, n);
  // `figure=sgroups.register`: the same measurement reported as an s_group's name space (a scope over a fixed set of members).
  const prefix = opts.figure ?? (scope.mode === 'partitioned' ? 'registry.register.partitioned' : 'registry.register');
  const loaded = await loadRegistry();
  const rates = new Map();
  for (const size of sizes) {
    const cluster = await startRegistryCluster(loaded, { size, scope });
    try {
      await warmUp(loaded, cluster, scope, warmup);
      const { seconds, okSeconds, cpu } = await timedRegistrations(loaded, cluster, scope, 'name.', n);
      rates.set(size, n / seconds);
      const ms = (x) => x.toFixed(0);
      process.stderr.write(
        `${scope.mode} n${size}: ${n} names in ${ms(seconds * 1000)} ms (last ok after ${ms(okSeconds * 1000)} ms); ` +
          `CPU ms: driver ${ms(cpu[0])}, members ${cpu.slice(1).map(ms).join(' ') || '-'}, sum ${ms(cpu.reduce((a, b) => a + b, 0))}\n`,
      );
      emit(`${prefix}.n${size}`, n / seconds, 'regs/s', { n, nodes: size, mode: scope.mode });
    } finally {
      await cluster.stop();
    }
  }
  if (rates.has(1) && rates.has(6)) emit(`${prefix}.flatness`, rates.get(6) / rates.get(1), 'x', { n });
});
