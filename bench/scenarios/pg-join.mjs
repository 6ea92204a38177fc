// pg.join.groups100 / pg.join.groups1: process group joins per second. n live processes (100 k;
// 20 k with --quick) of the driver node A join, one `pg.join(group, pid)` call each, one after
// the other in one go, 100 groups round-robin (`g<i % 100>`) or a single group; timed from the
// first join until the peer B (its own OS process, the other member of a replicated global scope)
// shows them all: B counts the pids of its pg monitor's join events, then checks that the
// members(group) lists of every group add up to n. Before the clock, a warm-up batch of
// min(10 k, n) processes joins 100 groups `warm<i>` and is killed; timing starts once B shows no
// member.
// Counterpart: sdbench_pg:join/3 (pg:join/2 in the default scope, started on both nodes).
// Usage: node pg-join.mjs <n> groups=100|1
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { PEER_FUNCTIONS, loadRegistry, settleLater, spawnIdle } from '../lib/registry.mjs';
import { cpuTimes, startRegistryCluster } from '../lib/registry-cluster.mjs';

/** Join pids[i] to groupOf(i), one call per pid; resolves with the seconds until B shows them all, and the CPU used. */
async function timedJoins(cluster, pids, groupOf) {
  const { global: g, peers, rpc } = cluster;
  const shown = settleLater(rpc(peers[0], PEER_FUNCTIONS.awaitJoined, [pids.length, 90_000]));
  const cpu0 = await cpuTimes(cluster); // also lets the request reach B before the clock starts
  const t0 = nowNs();
  for (let i = 0; i < pids.length; i++) g.pg.join(groupOf(i), pids[i]);
  const joined = nowNs();
  await shown;
  const t1 = nowNs();
  const cpu = (await cpuTimes(cluster)).map((c, i) => c - cpu0[i]);
  return { seconds: (t1 - t0) / 1e9, joinSeconds: (joined - t0) / 1e9, cpu };
}

main(async () => {
  const { n, opts } = scenarioArgs(100_000);
  const groups = Number(opts.groups ?? 100);
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`groups=${opts.groups}: expected a positive integer`);
  const loaded = await loadRegistry();
  const cluster = await startRegistryCluster(loaded, { size: 2, scope: { mode: 'replicated' } });
  const { node, peers, rpc } = cluster;
  try {
    const warm = spawnIdle(node, loaded.types, Math.min(10_000, n));
    await timedJoins(cluster, warm, (i) => `warm${i % 100}`);
    for (const pid of warm) node.exit(pid, { kind: 'kill' });
    await rpc(peers[0], PEER_FUNCTIONS.awaitJoined, [0, 60_000]);
    const pids = spawnIdle(node, loaded.types, n);
    const names = Array.from({ length: groups }, (_, i) => `g${i}`);
    const { seconds, joinSeconds, cpu } = await timedJoins(cluster, pids, (i) => names[i % groups]);
    const ms = (x) => x.toFixed(0);
    process.stderr.write(
      `${n} joins into ${groups} group(s): the calls took ${ms(joinSeconds * 1000)} ms, the peer showed them all after ${ms(seconds * 1000)} ms; ` +
        `CPU ms: driver ${ms(cpu[0])}, peer ${ms(cpu[1])}\n`,
    );
    emit(`pg.join.groups${groups}`, n / seconds, 'joins/s', { n, groups });
  } finally {
    await cluster.stop();
  }
});
