// One point of the registry scale benchmark: `size` free nodes in the harness's multi mode (a fresh
// cluster, grown in waves as the DE-Bench point grows its own: lib/grow.mjs), the global name scope
// in `mode` (replicated: every name on every member; partitioned: each name on its owner and
// `replicas` more, from the cluster file's `registry` section); every node runs the registration
// workload of registry-module.mjs (register a fresh name for a live process, unregister it later)
// for `duration` ms after `warmup` ms. Reports, per registration (a register and, later, its
// unregister): registry frames received cluster-wide, bytes received, CPU of the worker processes;
// and registrations per second, connections per node, errors.
// A cluster whose global scope does not get every node into every node's view (its mesh did not
// form: a partitioned scope places names on the ring of the view, so nodes whose views differ
// disagree about owners and holders) is reported as `stopped`, with what it lacked and the figures
// measured anyway. `connect=on`: before that, the driver asks nodes to connect the pairs of the
// mesh still missing (as an operator's net_adm:ping would); off by default, so that the point shows
// what the nodes do alone.
// `node bench/scale/registry-point.mjs mode=replicated|partitioned size=32 duration=8000 warmup=2000 concurrency=4 hold=4 replicas=2 processes=2 placement=off lookups=off connect=off`
// (more worker processes than `processes` when the open-file limit asks for them: lib/limits.mjs)
// Prints one `RESULT {json}` line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../lib/result.mjs';
import { frameTotals, growCluster, multiClusterOptions, waitForRegistry } from './lib/grow.mjs';
import { nodeNames, targetsOf, writeClusterFile } from './lib/layout.mjs';
import { openFileLimit, processesFor } from './lib/limits.mjs';
import { cpuSeconds, nodePids } from './lib/memory.mjs';
import { connectMissing, missingConnections } from './lib/mesh.mjs';

const MODULE = fileURLToPath(new URL('./registry-module.mjs', import.meta.url));
const opts = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const mode = opts.mode ?? 'replicated';
const size = Number(opts.size ?? 8);
const duration = Number(opts.duration ?? 8000);
const warmup = Number(opts.warmup ?? 2000);
const concurrency = Number(opts.concurrency ?? 4);
const hold = Number(opts.hold ?? 4);
const replicas = Number(opts.replicas ?? 2);
const wantedProcesses = Number(opts.processes ?? 2);
// Off by default: placement's reports and probes (n^2 per second in a full mesh) would be most of
// the frames and CPU measured here; `placement=on` runs the nodes as `sdnode start` does.
const placement = (opts.placement ?? 'off') === 'on';
const lookups = (opts.lookups ?? 'off') === 'on';
const connect = (opts.connect ?? 'off') === 'on';
// `prof=DIR`: the worker processes write V8 CPU profiles there (`--cpu-prof`) as they exit; the
// result's `windowMonotonicUs` (the window on the machine's monotonic clock, as the profiles'
// timestamps) picks the window's samples out of them.
const profDir = opts.prof;
const idleMs = Number(opts.idle ?? 2000);
const wave = Number(opts.wave ?? 16);
const TICK_MS = Number(opts.tick ?? 60_000); // production tick time (see debench-point.mjs)

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const sleepUntil = (perfTime) => new Promise((r) => setTimeout(r, Math.max(0, perfTime - performance.now()))); // a measurement window's end, not a wait for a condition

main(async () => {
  if (!['replicated', 'partitioned'].includes(mode)) throw new Error(`mode: replicated or partitioned, not ${mode}`);
  const harness = await import(new URL('../../libs/harness/dist/index.js', import.meta.url).href);
  const cookie = `regbench-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'sdscale-reg-'));
  const names = nodeNames(size);
  const plan = targetsOf(names, null);
  const processes = processesFor(size, size - 1, wantedProcesses);
  const registry = mode === 'partitioned' ? { mode, replicas } : { mode };
  const base = { kind: 'registry', mode, size, processes, replicas: mode === 'partitioned' ? replicas : null, placement, concurrency, hold, wave, connect };
  const grownCluster = await growCluster(harness, {
    names,
    plan,
    wave,
    meshTimeout: Number(opts.meshTimeout ?? 90_000),
    options: multiClusterOptions({
      cookie,
      module: MODULE,
      tickMs: TICK_MS,
      processes,
      placement,
      ...(profDir !== undefined ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] } : {}),
      config: writeClusterFile(dir, names, null, cookie, registry),
    }),
  });
  const { cluster, startSeconds } = grownCluster;
  if (cluster === null) {
    rmSync(dir, { recursive: true, force: true });
    const { stopped, grown, meshMissing } = grownCluster;
    process.stdout.write(`RESULT ${JSON.stringify({ ...base, stopped, grown, meshMissing })}\n`);
    return;
  }
  process.stderr.write(`registry ${mode} ${size}: ${size} nodes in ${processes} processes up in ${startSeconds.toFixed(1)} s (${grownCluster.meshMissing} mesh connections missing)\n`);
  try {
    const grownMissing = grownCluster.meshMissing;
    let connected = null;
    if (connect && grownMissing > 0) {
      const t = performance.now();
      connected = await connectMissing(cluster, plan, names);
      connected.seconds = (performance.now() - t) / 1000;
    }
    // The window opens once every node's global scope is stable with every node in its view (a
    // partitioned scope's owners and holders are placed on the ring of the view: nodes whose
    // views differ disagree on them). A cluster that does not get there is measured anyway.
    const { settled, settleSeconds, views } = await waitForRegistry(cluster, names, { fullView: true, timeout: Number(opts.settleTimeout ?? 60_000) });
    const meshMissing = missingConnections(cluster, plan, names);
    const connectionsAtStart = names.map((n) => cluster.node(n).connected().length);
    const stopped = settled
      ? undefined
      : `cluster not formed: after growing (${startSeconds.toFixed(0)} s, ${grownMissing} of ${size * (size - 1)} mesh connections missing)${connected === null ? '' : `, asking for ${connected.asked} connections (${connected.failed} failed)`} and ${settleSeconds.toFixed(0)} s more, ${meshMissing} missing (${(sum(connectionsAtStart) / size).toFixed(1)} of ${size - 1} per node, fewest ${Math.min(...connectionsAtStart)}), global views of ${Math.min(...views)}-${Math.max(...views)} nodes (mean ${(sum(views) / size).toFixed(1)}); measured anyway`;
    process.stderr.write(`registry ${mode} ${size}: ${settled ? 'settled' : 'NOT settled'} in ${settleSeconds.toFixed(1)} s; global views ${Math.min(...views)}-${Math.max(...views)} of ${size}; ${meshMissing} mesh connections missing\n`);
    const pids = nodePids(cluster);
    // What the cluster costs doing nothing (ticks, registry upkeep; placement when on).
    const idle0 = cpuSeconds(pids);
    const idleWall0 = performance.now();
    await sleepUntil(idleWall0 + idleMs);
    const idleCpuPercent = ((cpuSeconds(pids) - idle0) / ((performance.now() - idleWall0) / 1000)) * 100;
    const startAt = Date.now() + warmup + 500;
    const endAt = startAt + duration;
    // CPU of the worker processes over the window itself, read at its ends.
    const cpuWindow = (async () => {
      await sleepUntil(performance.now() + (startAt - Date.now()));
      const c0 = cpuSeconds(pids);
      const w0 = performance.now();
      const m0 = Number(process.hrtime.bigint() / 1000n);
      await sleepUntil(performance.now() + (endAt - Date.now()));
      return { cpu: cpuSeconds(pids) - c0, wall: (performance.now() - w0) / 1000, monotonicUs: [m0, Number(process.hrtime.bigint() / 1000n)] };
    })();
    const results = await Promise.all(
      names.map((name, i) =>
        cluster.rpc(name, 'regbench.run', [{ startAt, endAt, concurrency, hold, timeout: 10_000, lookups, others: names.filter((n) => n !== name), seed: i + 1 }], {
          timeout: endAt - Date.now() + 60_000,
        }),
      ),
    );
    const { cpu, wall, monotonicUs } = await cpuWindow;
    const counts = { register: 0, unregister: 0, find: 0, found: 0 };
    const errors = {};
    const latency = { register: 0, unregister: 0, find: 0 };
    const slowest = { register: 0, unregister: 0, find: 0 };
    for (const r of results) {
      for (const k of Object.keys(counts)) counts[k] += r.counts[k];
      for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
      for (const k of Object.keys(latency)) {
        latency[k] += r.latencyMs[k] ?? 0;
        slowest[k] = Math.max(slowest[k], r.slowest?.[k] ?? 0);
      }
    }
    // Connections lost over the point's life (growth, settling, the window), by reason, as the
    // nodes' own nodedown events tell (visible peers only; the hidden driver excluded).
    const nodedowns = {};
    for (const m of cluster.nodes) {
      for (const e of m.log.currentEvents()) if (e.event === 'nodedown' && !e.hidden) nodedowns[e.reason ?? 'unknown'] = (nodedowns[e.reason ?? 'unknown'] ?? 0) + 1;
    }
    const frames = frameTotals(results);
    const registryFrames = frames.byChannel['sdnode.registry'] ?? 0;
    const regs = counts.register;
    // Per registration = per register-and-unregister pair: half the registry writes of the window
    // (the two counts are equal but for the loops' steps in flight at the window's ends, and the
    // first registrations of each loop when they reach into the window).
    const pairs = (counts.register + counts.unregister) / 2;
    const per = (x) => (pairs > 0 ? x / pairs : null);
    const seconds = duration / 1000;
    const scopeViews = results.map((r) => r.scope.members);
    const result = {
      ...base,
      ...(stopped !== undefined ? { stopped } : {}),
      grownMissing,
      connected,
      openFileLimit: openFileLimit(),
      durationSeconds: seconds,
      startSeconds,
      settleSeconds,
      settled,
      meshMissing,
      netTickTime: TICK_MS,
      lookups,
      registrations: regs,
      unregistrations: counts.unregister,
      finds: counts.find,
      found: counts.found,
      registrationsPerSecond: regs / seconds,
      registryFrames,
      registryFramesPerRegistration: per(registryFrames),
      // Every frame and byte received in the window, all kinds (placement off and a 60 s tick: the
      // registry's, but for `otherFrames`).
      framesReceived: frames.framesReceived,
      otherFrames: frames.framesReceived - registryFrames,
      framesByKind: frames.byKind,
      controlByChannel: frames.byChannel,
      bytesReceived: frames.bytesReceived,
      bytesPerRegistration: per(frames.bytesReceived),
      idleCpuPercent,
      busyCpuPercent: (cpu / wall) * 100,
      cpuMsPerRegistration: per(cpu * 1000),
      // Less what the idle cluster costs over the same time.
      netCpuMsPerRegistration: per(Math.max(0, cpu - (idleCpuPercent / 100) * wall) * 1000),
      meanMs: Object.fromEntries(Object.keys(latency).map((k) => [k, counts[k] > 0 ? latency[k] / counts[k] : null])),
      slowestMs: slowest,
      errors,
      errorCount: sum(Object.values(errors)),
      connectionsPerNode: sum(results.map((r) => r.connections)) / size,
      maxConnections: Math.max(...results.map((r) => r.connections)),
      minConnections: Math.min(...results.map((r) => r.connections)),
      viewPerNode: sum(scopeViews) / size,
      minView: Math.min(...scopeViews),
      unstableScopes: results.filter((r) => r.scope.state !== 'stable').length,
      refused: sum(results.map((r) => r.scope.refused)),
      dropped: sum(results.map((r) => r.scope.stats.dropped ?? 0)),
      forcedStable: sum(results.map((r) => r.scope.stats.forcedStable ?? 0)),
      cachedPerNode: sum(results.map((r) => r.scope.cached)) / size,
      nodedowns,
      ...(profDir !== undefined ? { windowMonotonicUs: monotonicUs } : {}),
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
