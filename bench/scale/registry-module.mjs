// The registry-only workload of the scale benchmark, as a user module every node loads (the
// harness's multi mode passes it to each node like `sdnode start --module`). `setup` gives each
// node the rpc function `regbench.run`, which runs `concurrency` loops on this node until `endAt`
// and counts what completed inside [startAt, endAt] (Date.now(): every node of the benchmark is on
// this machine, one clock).
//
// Each loop owns `hold` live idle processes of this node, each registered under a name before the
// loop starts (not counted), and then, in turn over them, unregisters the name the process holds
// and registers a fresh name for it in the global scope: registrations and unregistrations
// alternate one for one, and each loop keeps `hold` names registered, so the scope holds about
// nodes x concurrency x hold names throughout.
// Every registration is of a process of this node (its home), as a server registering itself.
// With `lookups` on, each registration is followed by a `find` of a name another node registered
// (counted apart: the registration figures do not include it). Each node also takes its frame
// counters at the window's ends (lib/node-frames.mjs) and reports its global scope's state.
import { defineProcess } from '@sdnode/core';
import { windowFrames } from './lib/node-frames.mjs';

export const Idle = defineProcess('regbench.idle', {
  init: () => null,
  handle: (_ctx, _msg, state) => state,
});

export const types = [Idle];

export function setup({ node, registry }) {
  node.registerFunction('regbench.run', (options) => run(node, registry, options));
}

/** A node's short name, for the benchmark's names (`n12@127.0.0.13` -> `n12`). */
const short = (name) => name.split('@')[0];

/**
 * options: { startAt, endAt (ms, Date.now()), concurrency, hold (names per loop), timeout (ms per
 * call), lookups (boolean), others: node names whose loops' names a lookup may ask for }
 */
async function run(node, registry, options) {
  const { startAt, endAt, concurrency = 4, hold = 4, timeout = 10_000, lookups = false, others = [] } = options;
  const scope = registry.global;
  const counts = { register: 0, unregister: 0, find: 0, found: 0 };
  const errors = {};
  const latencyMs = { register: 0, unregister: 0, find: 0 };
  const slowest = { register: 0, unregister: 0, find: 0 };
  const me = short(node.name);
  const inWindow = (t) => t >= startAt && t <= endAt;
  const record = (kind, t0) => {
    const t1 = Date.now();
    if (!inWindow(t1)) return;
    counts[kind]++;
    latencyMs[kind] += t1 - t0;
    slowest[kind] = Math.max(slowest[kind], t1 - t0);
  };
  const fail = (kind, key) => {
    if (!inWindow(Date.now())) return;
    errors[`${kind}: ${key}`] = (errors[`${kind}: ${key}`] ?? 0) + 1;
  };
  let rnd = (options.seed ?? 1) >>> 0 || 1;
  const random = (n) => {
    rnd ^= rnd << 13;
    rnd ^= rnd >>> 17;
    rnd ^= rnd << 5;
    return (rnd >>> 0) % n;
  };

  const snapshots = windowFrames(node, startAt, endAt);
  const loop = async (w) => {
    const pids = Array.from({ length: hold }, () => node.spawn(Idle));
    const held = new Array(hold).fill(null);
    let step = 0;
    // Fill every slot first (in the warm-up, unless registering is slow enough for the window to
    // see some of it: those count as registrations too, so the writes in the window are all counted).
    for (; step < hold && Date.now() < endAt; step++) {
      const name = `rg_${me}_${w}_${step}`;
      const t0 = Date.now();
      const r = await scope.register(name, pids[step], null, { timeout }).catch((error) => ({ ok: false, reason: error?.name ?? 'Error' }));
      if (r.ok) {
        held[step] = name;
        record('register', t0);
      } else fail('register', r.reason);
    }
    while (Date.now() < endAt) {
      const k = step % hold;
      if (held[k] !== null) {
        const t0 = Date.now();
        try {
          await scope.unregister(held[k], { timeout });
          record('unregister', t0);
        } catch (error) {
          fail('unregister', error?.name ?? 'Error');
        }
        held[k] = null;
      }
      const name = `rg_${me}_${w}_${step}`;
      const t0 = Date.now();
      try {
        const r = await scope.register(name, pids[k], null, { timeout });
        if (r.ok) {
          held[k] = name;
          record('register', t0);
        } else fail('register', r.reason);
      } catch (error) {
        fail('register', error?.name ?? 'Error');
      }
      step++;
      if (lookups && others.length > 0) {
        // A name some other node's loop w registered a few steps ago (it may be gone by now: that
        // is an answer too).
        const other = short(others[random(others.length)]);
        const wanted = `rg_${other}_${random(concurrency)}_${Math.max(0, step - 1 - random(hold))}`;
        const t1 = Date.now();
        try {
          const e = await scope.find(wanted, { timeout });
          record('find', t1);
          if (e !== undefined && inWindow(Date.now())) counts.found++;
        } catch (error) {
          fail('find', error?.name ?? 'Error');
        }
      }
    }
    // Leave the scope as it was (outside the window: not counted).
    await Promise.all(held.filter((n) => n !== null).map((n) => scope.unregister(n, { timeout }).catch(() => undefined)));
    for (const pid of pids) node.exit(pid, 'shutdown');
  };

  await Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
  const { before, after } = await snapshots;
  const info = scope.info();
  return {
    node: node.name,
    counts,
    errors,
    latencyMs,
    slowest,
    connections: node.nodes({ all: true }).length,
    scope: { mode: info.mode, members: info.members.length, state: info.state, names: info.names, cached: info.cached, refused: Object.keys(info.refused).length, stats: info.stats },
    before,
    after,
  };
}
