// supervisor.restart: a one_for_one supervisor with one GenServer child; the child tells the
// driver when it has started, the driver makes it crash (a cast it throws on), the supervisor
// restarts it; n restarts (after a warm-up), timed from the first crash to the n-th restart's
// start message: restarts per second. Crash logging is off on both sides (a silent logger here,
// logger level none in Erlang), so the figure is the restart machinery, not log formatting.
// Counterpart: sdbench_otp:supervisor_restart/1 (supervisor + sdbench_crasher gen_server).
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { inProcess, loadOtp, silentLogger, startNode } from '../lib/sdnode.mjs';

const isStarted = (m) => (m !== null && typeof m === 'object' && m.started ? m.started : undefined);

main(async () => {
  const { n } = scenarioArgs(20_000);
  const loaded = await loadOtp();
  const { GenServer, Supervisor } = loaded.otp;
  const { Crasher } = loaded.types;
  const node = await startNode(loaded, { role: 'local', local: true, logger: silentLogger });

  const run = (restarts) =>
    inProcess(node, async (ctx) => {
      const sup = await Supervisor.startWith(ctx, {
        strategy: 'one_for_one',
        intensity: 1_000_000_000,
        period: 1000,
        children: [Supervisor.worker('crasher', Crasher, [ctx.self])],
      });
      let child = await ctx.receive(isStarted, { timeout: 5000 });
      const t0 = nowNs();
      for (let i = 0; i < restarts; i++) {
        GenServer.cast(ctx, child, 'crash');
        child = await ctx.receive(isStarted, { timeout: 5000 });
      }
      const seconds = (nowNs() - t0) / 1e9;
      await GenServer.stop(ctx, sup);
      return seconds;
    });

  await run(Math.min(n, 2000)); // warm-up
  const seconds = await run(n);
  emit('supervisor.restart', n / seconds, 'restarts/s', { n });
});
