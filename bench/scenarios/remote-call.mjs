// remote.call.p50 / remote.call.p99: a process on this node makes n sequential calls to an echo
// process on a peer node (a separate OS process) over loopback, after a warm-up; the latency of
// every round trip in microseconds, nearest-rank percentiles. Counterpart: sdbench_remote:call/2
// (gen_server:call to a gen_server on the peer node).
//
// Styles: `remote.call.*` is the async style (an async body awaiting ctx.call in a loop);
// `remote.call.callback.*` a callback-style caller (bench.caller: each handle makes one call and
// returns its promise, then sends itself the next 'next'). Both run against the same echo process,
// alternating in blocks so that both see the same load.
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { inProcess, isDone, loadCore, newCookie, startNode, startPeerNode, stopNode } from '../lib/sdnode.mjs';

const BLOCKS = 4;

main(async () => {
  const { n } = scenarioArgs(20_000);
  const loaded = await loadCore();
  const { Caller } = loaded.types;
  const cookie = newCookie();
  const peer = await startPeerNode(cookie);
  const node = await startNode(loaded, { role: 'caller', cookie });
  try {
    await node.connect(peer.name, { address: peer.address });
    const echo = await inProcess(node, (ctx) => ctx.spawnRemote(peer.name, 'bench.echo', []));
    const asyncStyle = (count) =>
      inProcess(node, async (ctx) => {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) {
          const t0 = nowNs();
          const answer = await ctx.call(echo, { echo: i }, { timeout: 5000 });
          out[i] = (nowNs() - t0) / 1000;
          if (!answer || answer.echo !== i) throw new Error(`wrong answer to call ${i}: ${JSON.stringify(answer)}`);
        }
        return out;
      });
    const callbackStyle = (count) =>
      inProcess(node, async (ctx) => {
        const out = new Float64Array(count);
        const caller = node.spawn(Caller, echo, out, nowNs, ctx.self);
        ctx.send(caller, 'next');
        await ctx.receive(isDone);
        ctx.exit(caller, { kind: 'kill' });
        return out;
      });
    await asyncStyle(Math.min(n, 2000)); // warm-up
    await callbackStyle(Math.min(n, 2000));
    const block = Math.ceil(n / BLOCKS);
    const all = { async: [], callback: [] };
    for (let b = 0; b < BLOCKS; b++) {
      for (const v of await asyncStyle(block)) all.async.push(v);
      for (const v of await callbackStyle(block)) all.callback.push(v);
    }
    for (const [style, prefix] of [['async', 'remote.call'], ['callback', 'remote.call.callback']]) {
      const sorted = all[style].sort((a, b) => a - b);
      emit(`${prefix}.p50`, percentile(sorted, 50), 'us', { n: sorted.length, style });
      emit(`${prefix}.p99`, percentile(sorted, 99), 'us', { n: sorted.length, style });
    }
  } finally {
    await stopNode(node);
    await peer.stop();
  }
});
