// registry.visible.p50 / pg.visible.p50: how soon another member sees a write, in milliseconds,
// n samples one at a time, in a global scope of two nodes (the driver A and a peer B, each its own
// OS process). The two processes share no clock, so each sample is a round trip measured on A:
// B's callback (a scope subscriber, or a pg monitor) checks that B's own view shows the write
// (whereis resolves the name to the pid; members(group) lists the pid) and sends A a message; a
// process on A notes the time that message arrives.
// - registry: A registers a name for one of its processes; the sample runs from the moment
//   `register` resolves `ok` on A until B's message arrives on A. Only names whose owner (by the
//   registry's ring) is A are used: A decides them, and B learns them afterwards by A's update; a
//   name owned by B is decided on B, which resolves it before A's `ok` (a zero sample).
// - pg: A joins one of its processes to a group; the sample runs from the join call until B's
//   message arrives on A.
// Either way the sample includes B's message back to A (one loopback hop): it bounds the
// visibility delay from above. Reported: the median and p99, after 100 warm-up samples.
// Usage: node visibility.mjs <n> what=registry|pg
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { PEER_FUNCTIONS, loadRegistry, spawnIdle } from '../lib/registry.mjs';
import { startRegistryCluster } from '../lib/registry-cluster.mjs';

const WARMUP = 100;

/** A process on `node` that hands every message it receives to `onMessage(msg, arrivalNs)`. */
function ackSink(node, onMessage) {
  return node.spawnFn(async (ctx) => {
    for (;;) {
      const msg = await ctx.receive();
      onMessage(msg, nowNs());
    }
  });
}

/** Acks by key: `arrived(key)` resolves with the arrival time of key's ack (already there, or later). */
function ackBook() {
  const times = new Map();
  const waiting = new Map();
  return {
    add(key, t) {
      const w = waiting.get(key);
      if (w) {
        waiting.delete(key);
        w(t);
      } else times.set(key, t);
    },
    arrived(key, timeoutMs = 10_000) {
      if (times.has(key)) return Promise.resolve(times.get(key));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ack for ${key} within ${timeoutMs} ms`)), timeoutMs);
        waiting.set(key, (t) => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    },
  };
}

/** Names `vis.<i>` owned by `owner` in the view `members`, `count` of them. */
function ownedNames(Ring, members, owner, count) {
  const ring = new Ring(members);
  const out = [];
  for (let i = 0; out.length < count; i++) if (ring.owner(`vis.${i}`) === owner) out.push(`vis.${i}`);
  return out;
}

async function registrySamples(loaded, cluster, count) {
  const { node, global: g, peers, rpc } = cluster;
  const book = ackBook();
  const sink = ackSink(node, (msg, t) => msg?.ack !== undefined && book.add(msg.ack, t));
  await rpc(peers[0], PEER_FUNCTIONS.ackRegistered, ['vis.', sink]);
  const list = ownedNames(loaded.Ring, g.view().members, node.name, count);
  const pids = spawnIdle(node, loaded.types, count);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const r = await g.register(list[i], pids[i]);
    const ok = nowNs();
    if (!r.ok) throw new Error(`register ${list[i]}: ${JSON.stringify(r)}`);
    out[i] = Math.max(0, (await book.arrived(list[i])) - ok) / 1e6;
  }
  return out;
}

async function pgSamples(loaded, cluster, count) {
  const { node, global: g, peers, rpc } = cluster;
  const book = ackBook();
  const sink = ackSink(node, (msg, t) => msg?.ack !== undefined && book.add(msg.ack.key, t));
  await rpc(peers[0], PEER_FUNCTIONS.ackJoined, ['vis', sink]);
  const pids = spawnIdle(node, loaded.types, count);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t0 = nowNs();
    g.pg.join('vis', pids[i]);
    out[i] = ((await book.arrived(pids[i].key)) - t0) / 1e6;
  }
  return out;
}

main(async () => {
  const { n, opts } = scenarioArgs(1000);
  const what = opts.what ?? 'registry';
  if (what !== 'registry' && what !== 'pg') throw new Error(`what=${what}: expected registry or pg`);
  const loaded = await loadRegistry();
  const cluster = await startRegistryCluster(loaded, { size: 2, scope: { mode: 'replicated' } });
  try {
    const samples = what === 'registry' ? registrySamples : pgSamples;
    const all = await samples(loaded, cluster, WARMUP + n);
    const sorted = Array.from(all.subarray(WARMUP)).sort((a, b) => a - b);
    emit(`${what}.visible.p50`, percentile(sorted, 50), 'ms', { n });
    emit(`${what}.visible.p99`, percentile(sorted, 99), 'ms', { n });
  } finally {
    await cluster.stop();
  }
});
