// What every scenario program shares: its arguments, a monotonic clock, the small message, and the
// one way it reports a figure (a line `RESULT {json}` on stdout, read by bench/run.mjs). Anything
// else a scenario prints goes to stderr and is shown only when it fails.

/** Monotonic time in nanoseconds (a bigint-free number; safe for runs of minutes). */
export function nowNs() {
  return Number(process.hrtime.bigint());
}

/** Seconds elapsed since `t0` (from nowNs). */
export function secondsSince(t0) {
  return (nowNs() - t0) / 1e9;
}

/**
 * Arguments a scenario is started with by the runner: `node scenario.mjs <n> [key=value ...]`.
 * Returns `{ n, opts }` where `opts` maps keys to strings.
 */
export function scenarioArgs(defaultN) {
  const [first, ...rest] = process.argv.slice(2);
  const n = first === undefined ? defaultN : Number(first);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`bad message count: ${first}`);
  const opts = {};
  for (const kv of rest) {
    const i = kv.indexOf('=');
    if (i > 0) opts[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { n, opts };
}

/** Report one figure to the runner. `extra` may hold `n` and notes. */
export function emit(name, value, unit, extra = {}) {
  if (!Number.isFinite(value)) throw new Error(`${name}: measured value is not a number (${value})`);
  process.stdout.write(`RESULT ${JSON.stringify({ name, value, unit, ...extra })}\n`);
}

/** Run a scenario's main function: report its failure on stderr and exit non-zero. */
export function main(fn) {
  fn().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}

// The "small message" of the ceilings: what a one-way remote send carries on the wire (a send
// frame addressed to a pid, with a small user payload). The sdnode and Erlang scenarios send the
// same user payload: { seq, body: 'hello' } / {msg, Seq, <<"hello">>}.
export const SMALL_BODY = 'hello';

/** A send frame shaped like the distribution protocol's, for raw codec and socket ceilings. */
export function smallFrame(seq) {
  return {
    t: 'send',
    to: { node: 'b@127.0.0.1', id: 17, creation: 3 },
    msg: { seq, body: SMALL_BODY },
  };
}
