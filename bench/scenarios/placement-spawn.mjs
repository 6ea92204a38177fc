// placement.spawn.overhead: what a placed spawn costs over a plain remote spawn to the same node,
// as the ratio of their median round trips (placed / remote). Two nodes on loopback, each its own
// OS process, both with a Placement: this program's node (the driver) and the peer
// (peers/placement-peer.mjs), which reports its attributes. Once the peer is in the driver's
// placement view, n pairs, after a warm-up of min(n, 1000) pairs:
// - placed: `placement.spawnPlaced('bench.idle', [], SPEC)` with SPEC = { self: 'exclude' } in a
//   const (the peer is the only other node, so every decision picks it): one decision
//   (least_loaded), then one remote spawn;
// - remote: `node.spawnRemote(peer, 'bench.idle', [])`, the same spawn without the decision.
// The two alternate, in alternating order (placed first in even pairs, remote first in odd ones),
// so that both see the same load; each is timed from the call until its pid is back, in
// microseconds. The spawned processes idle (bench.idle) and stay: every spawn, of either kind,
// finds the peer in the same state. Figures: the ratio of the p50s, and each p50 (p99s on stderr).
// Usage: node placement-spawn.mjs <pairs>
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { loadPlacement, LEVELS, locationOf, startPlacementPeer, whenView } from '../lib/placement.mjs';
import { newCookie, silentLogger, startNode, stopNode } from '../lib/sdnode.mjs';

const TYPE = 'bench.idle';
const SPEC = { self: 'exclude' };

main(async () => {
  const { n } = scenarioArgs(5000);
  const loaded = await loadPlacement();
  const { Placement } = loaded.placement;
  const cookie = newCookie();
  const peer = await startPlacementPeer(cookie, { locationLevels: LEVELS, location: locationOf(0, 0, 1, 'peer') });
  const node = await startNode(loaded, { role: 'placement', cookie, logger: silentLogger });
  try {
    const placement = Placement.start(node, { locationLevels: LEVELS, location: locationOf(0, 0, 0, 'driver') });
    await node.connect(peer.name, { address: peer.address, timeout: 10_000 });
    await whenView(placement, () => placement.view.has(peer.name), { what: `the peer ${peer.name} in the driver's placement view` });
    const chosen = placement.chooseNode(SPEC);
    if (chosen !== peer.name) throw new Error(`SPEC chooses ${chosen}, not the peer`);

    const placed = async () => {
      const t0 = nowNs();
      const r = await placement.spawnPlaced(TYPE, [], SPEC);
      const us = (nowNs() - t0) / 1000;
      if (r.node !== peer.name || r.pid.node !== peer.name) throw new Error(`placed spawn went to ${r.node} (${r.pid})`);
      return us;
    };
    const remote = async () => {
      const t0 = nowNs();
      const pid = await node.spawnRemote(peer.name, TYPE, []);
      const us = (nowNs() - t0) / 1000;
      if (pid.node !== peer.name) throw new Error(`remote spawn went to ${pid.node}`);
      return us;
    };
    const pairs = async (count) => {
      const out = { placed: new Float64Array(count), remote: new Float64Array(count) };
      for (let i = 0; i < count; i++) {
        if (i % 2 === 0) {
          out.placed[i] = await placed();
          out.remote[i] = await remote();
        } else {
          out.remote[i] = await remote();
          out.placed[i] = await placed();
        }
      }
      return out;
    };
    await pairs(Math.min(n, 1000)); // warm-up
    const all = await pairs(n);
    const sorted = { placed: Array.from(all.placed).sort((a, b) => a - b), remote: Array.from(all.remote).sort((a, b) => a - b) };
    const p50 = { placed: percentile(sorted.placed, 50), remote: percentile(sorted.remote, 50) };
    const p99 = { placed: percentile(sorted.placed, 99), remote: percentile(sorted.remote, 99) };
    process.stderr.write(`placed p50 ${p50.placed.toFixed(1)} us, p99 ${p99.placed.toFixed(1)} us; remote p50 ${p50.remote.toFixed(1)} us, p99 ${p99.remote.toFixed(1)} us\n`);
    emit('placement.spawn.overhead', p50.placed / p50.remote, 'x', { n, p99Ratio: p99.placed / p99.remote });
    emit('placement.spawn.placed.p50', p50.placed, 'us', { n, p99: p99.placed });
    emit('placement.spawn.remote.p50', p50.remote, 'us', { n, p99: p99.remote });
  } finally {
    await stopNode(node);
    await peer.stop();
  }
});
