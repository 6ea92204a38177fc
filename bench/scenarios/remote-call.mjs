// remote.call.p50 / remote.call.p99: a process on this node makes n sequential calls to an echo
// process on a peer node (a separate OS process) over loopback, after a warm-up; the latency of
// every round trip in microseconds, nearest-rank percentiles. Counterpart: sdbench_remote:call/2
// (gen_server:call to a gen_server on the peer node).
//
// Styles: `remote.call.*` is the async style (an async body awaiting ctx.call in a loop);
// `remote.call.callback.*` a callback-style caller (bench.caller: each handle makes one call and
// returns its promise, then sends itself the next 'next'). Both run against the same echo process,
// alternating in blocks so that both see the same load.
//
// Carrier: both nodes use SDNODE_CARRIER (zmq|net) when set, else the core's default. With
// `carrier=<name>` the scenario picks it itself and names its figures after it
// (`remote.call.<name>.p50`, `.p99`; `remote.call.<name>.callback.*`); `styles=async` measures the
// async style only.
//
// remote.call.bytes: bytes allocated on the caller's V8 heap per call (async style, after the
// latency blocks): the growth of the used heap over `BYTES_CALLS` calls plus what every garbage
// collection meanwhile freed (v8.GCProfiler reports the used heap before and after each one), so
// collections do not hide allocations. Off-heap memory (Buffers' bytes) is not counted.
import v8 from 'node:v8';
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { benchCarrier, inProcess, isDone, loadCore, newCookie, startNode, startPeerNode, stopNode, useCarrier } from '../lib/sdnode.mjs';

const BLOCKS = 4;
const BYTES_CALLS = 5000;

/** Bytes allocated on the V8 heap while `fn` runs, collections accounted for. */
async function allocatedBytes(fn) {
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = v8.getHeapStatistics().used_heap_size;
  await fn();
  const after = v8.getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let freed = 0;
  for (const gc of statistics) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return after - before + freed;
}

main(async () => {
  const { n, opts } = scenarioArgs(20_000);
  useCarrier(opts.carrier);
  const base = opts.carrier === undefined ? 'remote.call' : `remote.call.${opts.carrier}`;
  const styles = opts.styles === 'async' ? ['async'] : ['async', 'callback'];
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
    const run = { async: asyncStyle, callback: callbackStyle };
    for (const style of styles) await run[style](Math.min(n, 2000)); // warm-up
    const block = Math.ceil(n / BLOCKS);
    const all = { async: [], callback: [] };
    for (let b = 0; b < BLOCKS; b++) {
      for (const style of styles) for (const v of await run[style](block)) all[style].push(v);
    }
    const asyncCalls = (count) =>
      inProcess(node, async (ctx) => {
        for (let i = 0; i < count; i++) {
          const answer = await ctx.call(echo, { echo: i }, { timeout: 5000 });
          if (!answer || answer.echo !== i) throw new Error(`wrong answer to call ${i}: ${JSON.stringify(answer)}`);
        }
      });
    const bytes = (await allocatedBytes(() => asyncCalls(BYTES_CALLS))) / BYTES_CALLS;
    const carrier = benchCarrier() ?? 'default';
    emit(`${base}.bytes`, bytes, 'bytes', { n: BYTES_CALLS, carrier });
    for (const style of styles) {
      const prefix = style === 'async' ? base : `${base}.callback`;
      const sorted = all[style].sort((a, b) => a - b);
      emit(`${prefix}.p50`, percentile(sorted, 50), 'us', { n: sorted.length, style, carrier });
      emit(`${prefix}.p99`, percentile(sorted, 99), 'us', { n: sorted.length, style, carrier });
    }
  } finally {
    await stopNode(node);
    await peer.stop();
  }
});
