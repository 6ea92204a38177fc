// remote.call.p50 / remote.call.p99: a process on this node makes n sequential calls to an echo
// process on a peer node (a separate OS process) over loopback, after a warm-up; the latency of
// every round trip in microseconds, nearest-rank percentiles. Counterpart: sdbench_remote:call/2
// (gen_server:call to a gen_server on the peer node).
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { inProcess, loadCore, newCookie, startNode, startPeerNode, stopNode } from '../lib/sdnode.mjs';

main(async () => {
  const { n } = scenarioArgs(20_000);
  const loaded = await loadCore();
  const cookie = newCookie();
  const peer = await startPeerNode(cookie);
  const node = await startNode(loaded, { role: 'caller', cookie });
  try {
    await node.connect(peer.name, { address: peer.address });
    const latencies = await inProcess(node, async (ctx) => {
      const echo = await node.spawnRemote(peer.name, 'bench.echo', []);
      const timed = async (count) => {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) {
          const t0 = nowNs();
          const answer = await ctx.call(echo, { echo: i }, { timeout: 5000 });
          out[i] = (nowNs() - t0) / 1000;
          if (!answer || answer.echo !== i) throw new Error(`wrong answer to call ${i}: ${JSON.stringify(answer)}`);
        }
        return out;
      };
      await timed(Math.min(n, 2000)); // warm-up
      return timed(n);
    });
    const sorted = Array.from(latencies).sort((a, b) => a - b);
    emit('remote.call.p50', percentile(sorted, 50), 'us', { n });
    emit('remote.call.p99', percentile(sorted, 99), 'us', { n });
  } finally {
    await stopNode(node);
    await peer.stop();
  }
});
