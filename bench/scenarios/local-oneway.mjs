// local.oneway: one process sends n small messages to another on the same node, which counts them
// and says when it has them all. Timed from the first send to the "done" message.
// Counterpart: sdbench_local:oneway/1.
import { SMALL_BODY, emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { inProcess, isDone, loadCore, startNode } from '../lib/sdnode.mjs';

main(async () => {
  const { n } = scenarioArgs(2_000_000);
  const loaded = await loadCore();
  const node = await startNode(loaded, { role: 'local', local: true });
  const { Sink } = loaded.types;

  const run = (count) =>
    inProcess(node, async (ctx) => {
      const sink = node.spawn(Sink, count, ctx.self);
      const t0 = nowNs();
      for (let i = 0; i < count; i++) ctx.send(sink, { seq: i, body: SMALL_BODY });
      await ctx.receive(isDone);
      return (nowNs() - t0) / 1e9;
    });

  await run(Math.min(n, 100_000)); // warm-up: JIT and allocation sites
  const seconds = await run(n);
  emit('local.oneway', n / seconds, 'msgs/s', { n });
});
