// The process types of the sdnode scenarios, defined by name on every node that runs them (the
// scenario's own node and the peer node), like Erlang modules. Counterparts of the receive loops
// in bench/peers/erlang/sdbench_local.erl. States are mutated in place and returned.
//
// Two programming styles (libs/core process-type.ts): callback style ({init, handle}, the types
// without suffix) and async style (a body awaiting ctx.receive, the `.async` types). The scenarios
// report both; the targets apply to the fastest documented style (bench/README.md, "Styles").

export function defineBenchTypes({ defineProcess }) {
  /** Counts `n` messages, then tells `replyTo` {done: true}. */
  const Sink = defineProcess('bench.sink', {
    init(_ctx, n, replyTo) {
      return { n, replyTo, got: 0 };
    },
    handle(ctx, _msg, s) {
      if (++s.got === s.n) ctx.send(s.replyTo, { done: true });
      return s;
    },
  });

  /** Answers every {from, i} with {i}. */
  const Ponger = defineProcess('bench.ponger', {
    init() {
      return 0;
    },
    handle(ctx, msg, s) {
      ctx.send(msg.from, { i: msg.i });
      return s;
    },
  });

  /** On 'start', plays `rounds` ping-pong rounds with `ponger`, then tells `replyTo` {done: true}. */
  const Pinger = defineProcess('bench.pinger', {
    init(_ctx, ponger, rounds, replyTo) {
      return { ponger, rounds, replyTo, i: 0 };
    },
    handle(ctx, msg, s) {
      if (msg !== 'start') s.i++;
      if (s.i === s.rounds) ctx.send(s.replyTo, { done: true });
      else ctx.send(s.ponger, { from: ctx.self, i: s.i });
      return s;
    },
  });

  /** Does nothing but answer {sync: pid} with 'synced' (so a driver knows it has run). */
  const Idle = defineProcess('bench.idle', {
    init() {
      return 0;
    },
    handle(ctx, msg, s) {
      if (msg && msg.sync) ctx.send(msg.sync, 'synced');
      return s;
    },
  });

  /** Replies to every call with its request. */
  const Echo = defineProcess('bench.echo', {
    init() {
      return 0;
    },
    handle(ctx, msg, s) {
      if (msg && msg.signal === 'call') ctx.reply(msg, msg.request); // the call message identifies the caller
      return s;
    },
  });

  /** Async style: counts `n` messages with ctx.receive, then tells `replyTo` {done: true}. */
  const SinkAsync = defineProcess('bench.sink.async', async (ctx, n, replyTo) => {
    for (let got = 0; got < n; got++) await ctx.receive();
    ctx.send(replyTo, { done: true });
  });

  /** Async style: answers every {from, i} with {i}, forever. */
  const PongerAsync = defineProcess('bench.ponger.async', async (ctx) => {
    for (;;) {
      const msg = await ctx.receive();
      ctx.send(msg.from, { i: msg.i });
    }
  });

  /** Async style: on 'start', plays `rounds` rounds with `ponger`, then tells `replyTo` {done: true}. */
  const PingerAsync = defineProcess('bench.pinger.async', async (ctx, ponger, rounds, replyTo) => {
    await ctx.receive((m) => (m === 'start' ? m : undefined));
    for (let i = 0; i < rounds; i++) {
      ctx.send(ponger, { from: ctx.self, i });
      await ctx.receive();
    }
    ctx.send(replyTo, { done: true });
  });

  /**
   * Callback style caller of remote.call: every 'next' message makes one call to `echo` (handle
   * returns the call's promise: the process is busy until the answer), records its latency in
   * `out` and sends itself the next 'next'; after `out.length` calls tells `replyTo` {done: true}.
   * Local spawn only (`out` is a Float64Array, `now` a clock function).
   */
  const Caller = defineProcess('bench.caller', {
    init(_ctx, echo, out, now, replyTo) {
      return { echo, out, now, replyTo, i: 0 };
    },
    handle(ctx, msg, s) {
      if (msg !== 'next') return s;
      const i = s.i;
      const t0 = s.now();
      return ctx.call(s.echo, { echo: i }, { timeout: 5000 }).then((answer) => {
        s.out[i] = (s.now() - t0) / 1000;
        if (!answer || answer.echo !== i) throw new Error(`wrong answer to call ${i}: ${JSON.stringify(answer)}`);
        if (++s.i === s.out.length) ctx.send(s.replyTo, { done: true });
        else ctx.send(ctx.self, 'next');
        return s;
      });
    },
  });

  const all = [Sink, Ponger, Pinger, Idle, Echo, SinkAsync, PongerAsync, PingerAsync, Caller];
  return { Sink, Ponger, Pinger, Idle, Echo, SinkAsync, PongerAsync, PingerAsync, Caller, all };
}
