// local.pingpong: two processes on one node bounce a message back and forth; every message
// counts (n messages = n/2 round trips). Counterpart: sdbench_local:pingpong/1.
// Styles: `local.pingpong` is callback style (bench.pinger / bench.ponger, {init, handle});
// `local.pingpong.async` the same game between two async-style processes (ctx.receive loops).
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { inProcess, isDone, loadCore, startNode } from '../lib/sdnode.mjs';

main(async () => {
  const { n } = scenarioArgs(1_000_000);
  const loaded = await loadCore();
  const node = await startNode(loaded, { role: 'local', local: true });
  const { Pinger, Ponger, PingerAsync, PongerAsync } = loaded.types;

  const run = (rounds, [PingerType, PongerType] = [Pinger, Ponger]) =>
    inProcess(node, async (ctx) => {
      const ponger = node.spawn(PongerType);
      const pinger = node.spawn(PingerType, ponger, rounds, ctx.self);
      const t0 = nowNs();
      ctx.send(pinger, 'start');
      await ctx.receive(isDone);
      return (nowNs() - t0) / 1e9;
    });

  await run(Math.min(n / 2, 50_000)); // warm-up
  const rounds = Math.floor(n / 2);
  const seconds = await run(rounds);
  emit('local.pingpong', (2 * rounds) / seconds, 'msgs/s', { n: 2 * rounds, style: 'callback' });
  const asyncStyle = [PingerAsync, PongerAsync];
  await run(Math.min(n / 2, 50_000), asyncStyle); // warm-up of the async style
  const asyncSeconds = await run(rounds, asyncStyle);
  emit('local.pingpong.async', (2 * rounds) / asyncSeconds, 'msgs/s', { n: 2 * rounds, style: 'async' });
});
