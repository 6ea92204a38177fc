import { Node, defineProcess } from '@sdnode/core';
const Sink = defineProcess('bench.sink', { init(_c, n, replyTo) { return { n, replyTo, got: 0 }; }, handle(ctx, _m, s) { if (++s.got === s.n) ctx.send(s.replyTo, { done: true }); return s; } });
const node = await Node.start({ name: 'l@127.0.0.1', cookie: 'x', transport: null });
const SMALL = 'x'.repeat(16);
const run = (count, alloc) => node.run(async (ctx) => {
  const sink = node.spawn(Sink, count, ctx.self);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) ctx.send(sink, alloc ? { seq: i, body: SMALL } : i);
  const t1 = process.hrtime.bigint();
  await ctx.receive((m) => (m && m.done ? m : undefined));
  const t2 = process.hrtime.bigint();
  return [count / (Number(t2 - t0) / 1e9) / 1e6, Number(t1 - t0) / 1e6, Number(t2 - t1) / 1e6];
});
await run(100000, true);
console.log('objects', await run(2_000_000, true));

await node.stop();
