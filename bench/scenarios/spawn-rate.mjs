// spawn.rate / spawn.time: spawn n idle processes on one node, timed until the last one spawned
// has run (it answers a sync message), so initialisation is included. Counterpart:
// sdbench_local:spawn_rate/1 (which times spawn/3 calls; an Erlang process gets its heap at spawn).
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { inProcess, isSynced, loadCore, startNode } from '../lib/sdnode.mjs';

main(async () => {
  const { n } = scenarioArgs(1_000_000);
  const loaded = await loadCore();
  const node = await startNode(loaded, { role: 'spawn', local: true });
  const { Idle } = loaded.types;

  const seconds = await inProcess(node, async (ctx) => {
    const t0 = nowNs();
    let last;
    for (let i = 0; i < n; i++) last = node.spawn(Idle);
    ctx.send(last, { sync: ctx.self });
    await ctx.receive(isSynced);
    return (nowNs() - t0) / 1e9;
  });
  emit('spawn.time', seconds, 's', { n });
  emit('spawn.rate', n / seconds, 'procs/s', { n });
});
