// The process types of the sdnode scenarios, defined by name on every node that runs them (the
// scenario's own node and the peer node), like Erlang modules. Counterparts of the receive loops
// in bench/peers/erlang/sdbench_local.erl. States are mutated in place and returned.

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

  return { Sink, Ponger, Pinger, Idle, Echo, all: [Sink, Ponger, Pinger, Idle, Echo] };
}
