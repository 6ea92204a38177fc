// remote.oneway: one process on this node sends n small messages to a counting process on a peer
// node (a separate OS process, bench/peers/sdnode-peer.mjs) over loopback; timed from the first
// send until the peer's "done" message arrives. The sender yields to the event loop every `burst`
// sends (default 4096) so the transport can flush. Counterpart: sdbench_remote:oneway/2.
// Carrier: SDNODE_CARRIER (zmq|net) when set, else the core's default; with `carrier=<name>` the
// scenario picks it itself and reports `remote.oneway.<name>`.
import { SMALL_BODY, emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { benchCarrier, inProcess, isDone, loadCore, newCookie, startNode, startPeerNode, stopNode, useCarrier, yieldTurn } from '../lib/sdnode.mjs';

main(async () => {
  const { n, opts } = scenarioArgs(1_000_000);
  const burst = Number(opts.burst ?? 4096);
  useCarrier(opts.carrier);
  const loaded = await loadCore();
  const cookie = newCookie();
  const peer = await startPeerNode(cookie);
  const node = await startNode(loaded, { role: 'sender', cookie });
  try {
    await node.connect(peer.name, { address: peer.address });
    const run = (count) =>
      inProcess(node, async (ctx) => {
        const sink = await node.spawnRemote(peer.name, 'bench.sink', [count, ctx.self]);
        const t0 = nowNs();
        for (let i = 0; i < count; i++) {
          ctx.send(sink, { seq: i, body: SMALL_BODY });
          if (i % burst === burst - 1) await yieldTurn();
        }
        await ctx.receive(isDone, { timeout: 120_000 });
        return (nowNs() - t0) / 1e9;
      });
    await run(Math.min(n, 50_000)); // warm-up: JIT, connection, codec structures
    const seconds = await run(n);
    emit(opts.carrier === undefined ? 'remote.oneway' : `remote.oneway.${opts.carrier}`, n / seconds, 'msgs/s', { n, burst, carrier: benchCarrier() ?? 'default' });
  } finally {
    await stopNode(node);
    await peer.stop();
  }
});
