// local.oneway: one process sends n small messages to another on the same node, which counts them
// and says when it has them all. Timed from the first send to the "done" message.
// Counterpart: sdbench_local:oneway/1.
//
// Like for like with Erlang: there the sender is preempted every few thousand reductions and the
// sink, on the other scheduler, takes messages as they come (measured: about 460 messages wait in
// the sink's queue when the send loop ends, of 2 M), so each message dies young. A sdnode process
// cannot be preempted: the sender yields to the event loop every `burst` sends (default 4096, as
// in remote-oneway.mjs) so that the sink runs in between, the same allocation pattern.
// local.oneway.flood is the same without yielding (burst = n): all n messages wait in the sink's
// mailbox before it runs, which mostly measures V8 promoting n live objects (no Erlang counterpart,
// no target).
//
// Styles: `local.oneway` is the callback-style sink (bench.sink, {init, handle}); the same run with
// an async-style sink (a body awaiting ctx.receive per message) is `local.oneway.async`. The
// target applies to the fastest documented style (callback).
import { SMALL_BODY, emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { inProcess, isDone, loadCore, startNode, yieldTurn } from '../lib/sdnode.mjs';

main(async () => {
  const { n, opts } = scenarioArgs(2_000_000);
  const burst = Number(opts.burst ?? 4096);
  const loaded = await loadCore();
  const node = await startNode(loaded, { role: 'local', local: true });
  const { Sink, SinkAsync } = loaded.types;

  const run = (count, every, type = Sink) =>
    inProcess(node, async (ctx) => {
      const sink = node.spawn(type, count, ctx.self);
      const t0 = nowNs();
      for (let i = 0; i < count; i++) {
        ctx.send(sink, { seq: i, body: SMALL_BODY });
        if (i % every === every - 1) await yieldTurn();
      }
      await ctx.receive(isDone);
      return (nowNs() - t0) / 1e9;
    });

  await run(Math.min(n, 100_000), burst); // warm-up: JIT and allocation sites
  emit('local.oneway', n / (await run(n, burst)), 'msgs/s', { n, burst, style: 'callback' });
  await run(Math.min(n, 100_000), burst, SinkAsync); // warm-up of the async style
  emit('local.oneway.async', n / (await run(n, burst, SinkAsync)), 'msgs/s', { n, burst, style: 'async' });
  await run(Math.min(n, 100_000), n); // warm-up of the flood variant
  emit('local.oneway.flood', n / (await run(n, n)), 'msgs/s', { n });
});
