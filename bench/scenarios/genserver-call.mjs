// genserver.call.local / genserver.call.remote: a process makes n sequential GenServer calls
// (after a warm-up) to an echo server on the same node (`local`) or on a peer node in another OS
// process over loopback (`remote`): calls per second, and the latency of every call in
// microseconds (nearest-rank percentiles). Counterparts: sdbench_otp:call_local/1 and
// call_remote/2 (gen_server:call to sdbench_echo).
// Usage: node genserver-call.mjs <n> where=local|remote
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { inProcess, loadOtp, newCookie, startNode, startPeerNode, stopNode } from '../lib/sdnode.mjs';

main(async () => {
  const { n, opts } = scenarioArgs(100_000);
  const where = opts.where ?? 'local';
  if (where !== 'local' && where !== 'remote') throw new Error(`where=${where}: expected local or remote`);
  const loaded = await loadOtp();
  const { GenServer } = loaded.otp;
  const { GenEcho } = loaded.types;
  const cookie = newCookie();
  const peer = where === 'remote' ? await startPeerNode(cookie) : null;
  const node = await startNode(loaded, { role: 'caller', cookie, local: peer === null });
  try {
    if (peer) await node.connect(peer.name, { address: peer.address });
    const echo = await GenEcho.start(node, [], peer ? { node: peer.name } : {});
    const timed = (count) =>
      inProcess(node, async (ctx) => {
        const latencies = new Float64Array(count);
        const t0 = nowNs();
        for (let i = 0; i < count; i++) {
          const t = nowNs();
          const answer = await GenServer.call(ctx, echo, 'echo', [i], { timeout: 5000 });
          latencies[i] = (nowNs() - t) / 1000;
          if (answer !== i) throw new Error(`wrong answer to call ${i}: ${JSON.stringify(answer)}`);
        }
        return { seconds: (nowNs() - t0) / 1e9, latencies };
      });
    await timed(Math.min(n, where === 'local' ? 20_000 : 2000)); // warm-up
    const { seconds, latencies } = await timed(n);
    const sorted = Array.from(latencies).sort((a, b) => a - b);
    emit(`genserver.call.${where}.rate`, n / seconds, 'calls/s', { n });
    emit(`genserver.call.${where}.p50`, percentile(sorted, 50), 'us', { n });
    emit(`genserver.call.${where}.p99`, percentile(sorted, 99), 'us', { n });
  } finally {
    await stopNode(node);
    await peer?.stop();
  }
});
