// process.bytes: JavaScript heap per idle process. Run with --expose-gc (the runner does): full GC,
// heap used, spawn n idle processes and make sure each has run (sync message), drop our own
// references, full GC, heap used again; the difference divided by n. Counterpart:
// sdbench_local:process_bytes/1 (process_info(P, memory) of idle processes).
import { emit, main, scenarioArgs } from '../lib/result.mjs';
import { inProcess, isSynced, loadCore, startNode } from '../lib/sdnode.mjs';

function settledHeap() {
  for (let i = 0; i < 3; i++) global.gc();
  return process.memoryUsage().heapUsed;
}

main(async () => {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const { n } = scenarioArgs(100_000);
  const loaded = await loadCore();
  const node = await startNode(loaded, { role: 'mem', local: true });
  const { Idle } = loaded.types;

  // Warm the node up (first spawn and message paths allocate once-only structures).
  await spawnAndSync(node, Idle, 1000);
  const before = settledHeap();
  await spawnAndSync(node, Idle, n);
  const after = settledHeap();
  emit('process.bytes', (after - before) / n, 'bytes', { n });
});

/** Spawn `count` idle processes and wait until every one has answered a sync; keeps no pid. */
function spawnAndSync(node, Idle, count) {
  return inProcess(node, async (ctx) => {
    for (let i = 0; i < count; i++) ctx.send(node.spawn(Idle), { sync: ctx.self });
    for (let i = 0; i < count; i++) await ctx.receive(isSynced);
  });
}
