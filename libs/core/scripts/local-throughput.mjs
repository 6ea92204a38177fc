#!/usr/bin/env node
// Quick measurement (not a test, not the project benchmark): local one-way messages between two
// callback-style processes, spawn rate, and idle process memory. Run after building:
//   npx tsc -b tsconfig.build.json && node --expose-gc libs/core/scripts/local-throughput.mjs
import { Node, defineProcess } from '@sdnode/core';

const N = Number(process.argv[2] ?? 5_000_000);
const BATCH = 1000;

const Sink = defineProcess('sink', {
  init(_ctx, total, notify) {
    return { n: 0, total, notify };
  },
  handle(ctx, _msg, s) {
    if (++s.n === s.total) ctx.send(s.notify, 'done');
    return s;
  },
});

// The sender sends in batches of BATCH per message it handles, so it yields to the scheduler
// (the sink runs in between) and the mailbox stays small.
const Source = defineProcess('source', {
  init(_ctx, sink, total) {
    return { sink, left: total };
  },
  handle(ctx, _msg, s) {
    const k = Math.min(BATCH, s.left);
    for (let i = 0; i < k; i++) ctx.send(s.sink, i);
    s.left -= k;
    if (s.left > 0) ctx.send(ctx.self, 'more');
    return s;
  },
});

const node = await Node.start({ name: 'bench@127.0.0.1', cookie: 'x', transport: null });

async function oneWay(total) {
  return node.run(async (ctx) => {
    const sink = ctx.spawn(Sink, total, ctx.self);
    const src = ctx.spawn(Source, sink, total);
    const t0 = process.hrtime.bigint();
    ctx.send(src, 'go');
    await ctx.receive((m) => (m === 'done' ? m : undefined));
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    ctx.exit(src, { kind: 'kill' });
    ctx.exit(sink, { kind: 'kill' });
    return total / s;
  });
}

await oneWay(Math.min(N, 1_000_000)); // warm-up
const rates = [];
for (let i = 0; i < 3; i++) rates.push(await oneWay(N));
console.log(`local one-way: ${rates.map((r) => (r / 1e6).toFixed(2)).join(' / ')} M msg/s (best ${(Math.max(...rates) / 1e6).toFixed(2)})`);

// Spawn 1M idle callback processes.
const Idle = defineProcess('idle', { init: () => 0, handle: (_c, _m, s) => s });
const M = 1_000_000;
globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
const t0 = process.hrtime.bigint();
for (let i = 0; i < M; i++) node.spawn(Idle);
const spawnS = Number(process.hrtime.bigint() - t0) / 1e9;
await node.run(async () => undefined); // let every init run
const initS = Number(process.hrtime.bigint() - t0) / 1e9;
globalThis.gc?.();
const after = process.memoryUsage().heapUsed;
console.log(`spawn ${M}: ${spawnS.toFixed(2)} s (all initialised after ${initS.toFixed(2)} s)`);
console.log(`idle process memory: ${((after - before) / M).toFixed(0)} bytes/process${globalThis.gc ? '' : ' (run with --expose-gc for a stable figure)'}`);
await node.stop();
