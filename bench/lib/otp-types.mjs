// The OTP process types of the sdnode scenarios (GenServer, Supervisor children), defined by name
// on every node that runs them, like the types of sdnode-types.mjs. Counterparts:
// peers/erlang/sdbench_echo.erl (the callee of calls) and sdbench_crasher.erl (the crashing child).

export function defineOtpBenchTypes({ GenServer }) {
  /** Replies to `echo(x)` with x: sdbench_echo's handle_call. */
  const GenEcho = GenServer.define('bench.gen_echo', {
    init: () => ({ state: 0 }),
    handleCall: { echo: ({ state }, x) => ({ reply: x, state }) },
  });

  /** Tells `notify` {started: pid} from its init; crashes on the `crash` cast. */
  const Crasher = GenServer.define('bench.crasher', {
    init(ctx, notify) {
      ctx.send(notify, { started: ctx.self });
      return { state: notify };
    },
    handleCast: {
      crash() {
        throw new Error('crash on request');
      },
    },
  });

  return { GenEcho, Crasher, all: [GenEcho, Crasher] };
}
