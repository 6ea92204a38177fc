// One point of the DE-Bench-style scale benchmark: `size` nodes in the harness's multi mode (a
// fresh cluster), free nodes (full mesh, the global name scope) or s_groups (groups of 8 in a
// ring joined by gateway nodes, names in group scopes); every node runs the fixed mix of
// debench-module.mjs for `duration` ms after `warmup` ms; reports throughput, connections per node
// and the frames received per operation.
// `node bench/scale/debench-point.mjs variant=free|sgroups size=32 duration=8000 warmup=2000 concurrency=8 processes=2 placement=on`
// (more worker processes than `processes` when the open-file limit asks for them: lib/limits.mjs)
// Prints one `RESULT {json}` line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../lib/result.mjs';
import { nodeNames, ringGroups, targetsOf, writeClusterFile } from './lib/layout.mjs';
import { openFileLimit, processesFor } from './lib/limits.mjs';
import { cpuSeconds, nodePids } from './lib/memory.mjs';
import { meshOrStall, missingConnections } from './lib/mesh.mjs';

const MODULE = fileURLToPath(new URL('./debench-module.mjs', import.meta.url));
const opts = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const variant = opts.variant ?? 'free';
const size = Number(opts.size ?? 8);
const duration = Number(opts.duration ?? 8000);
const warmup = Number(opts.warmup ?? 2000);
const concurrency = Number(opts.concurrency ?? 2);
const wantedProcesses = Number(opts.processes ?? 2);
const placement = (opts.placement ?? 'on') !== 'off';
const idleMs = Number(opts.idle ?? 3000);

// The nodes' production tick time (the transport's default, and Erlang's net_ticktime), not the
// harness's 10 s for tests: a benchmark that saturates two CPUs must not read a late tick as a
// dead node.
const TICK_MS = Number(opts.tick ?? 60_000);

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const delta = (after, before, key) => (after?.[key] ?? 0) - (before?.[key] ?? 0);

main(async () => {
  if (!['free', 'sgroups'].includes(variant)) throw new Error(`variant: free or sgroups, not ${variant}`);
  const harness = await import(new URL('../../libs/harness/dist/index.js', import.meta.url).href);
  const cookie = `debench-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'sdscale-'));
  const names = nodeNames(size);
  const groups = variant === 'sgroups' ? ringGroups(names) : null;
  const maxConnections = groups === null ? size - 1 : Math.max(...[...targetsOf(names, groups).values()].map((t) => t.targets.length));
  const processes = processesFor(size, maxConnections, wantedProcesses);
  // Nodes join in waves of `wave`, each wave once the previous one is meshed (or has stopped
  // getting closer to it): a full mesh of 100+ nodes started at once makes every node dial every
  // other at the same moment (the first node's gossip names them all), and on two CPUs that herd
  // of handshakes times out. Growing the cluster keeps each herd to wave x size dials. A pair a
  // herd left unconnected is connected on demand by the first operation between them, as in
  // Erlang; `meshMissing` says how many connections the mesh lacked when the window opened.
  const wave = Number(opts.wave ?? 16);
  const plan = targetsOf(names, groups);
  const t0 = performance.now();
  const cluster = await harness.Cluster.start({
    waitForMesh: false,
    mode: 'multi',
    nodes: names.slice(0, wave),
    cookie,
    module: MODULE,
    timeout: 60_000,
    netTickTime: TICK_MS,
    report: (text) => process.stderr.write(`${text.slice(0, 4_000)}\n`),
    multi: { processes, placement },
    ...(groups !== null ? { config: writeClusterFile(dir, names, groups, cookie) } : {}),
  });
  let meshMissing = 0;
  let grown = wave;
  try {
    const deadline = t0 + Number(opts.meshTimeout ?? 90_000);
    meshMissing = await meshOrStall(cluster, plan, names.slice(0, wave), deadline);
    for (let i = wave; i < size; i += wave) {
      await cluster.startNodes(names.slice(i, i + wave));
      grown = Math.min(size, i + wave);
      meshMissing = await meshOrStall(cluster, plan, names.slice(0, grown), deadline);
    }
  } catch (error) {
    // The cluster could not grow to `size` (nodes did not start in time on the saturated machine):
    // that is this point's result, reported as such.
    const seconds = (performance.now() - t0) / 1000;
    await cluster.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    const reason = `${error?.name ?? 'Error'}: ${String(error?.message ?? error).split('\n')[0].slice(0, 160)}`;
    const result = { kind: 'debench', variant, size, processes, stopped: `could not grow past ${grown} nodes in ${seconds.toFixed(0)} s (${meshMissing} mesh connections missing at ${grown}; then ${reason})`, grown, meshMissing };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const startSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(`${variant} ${size}: ${size} nodes in ${processes} processes up in ${startSeconds.toFixed(1)} s\n`);
  try {
    // The registry scopes settle after the mesh (each member syncs its view with the others):
    // registrations made before wait for that, so the window starts once every scope is stable.
    const t1 = performance.now();
    let settled = true;
    await cluster
      .waitUntil(
        async () => {
          const states = await Promise.all(names.map((name) => cluster.state(name, { timeout: 10_000 })));
          return states.every((s) => (s.scopes ?? []).length > 0 && s.scopes.every((sc) => sc.state === 'stable'));
        },
        { timeout: 60_000, interval: 250, what: 'every registry scope stable' },
      )
      .catch(() => (settled = false)); // measured anyway; the result says so
    const settleSeconds = (performance.now() - t1) / 1000;
    meshMissing = missingConnections(cluster, plan, names);
    // What the cluster costs doing nothing: ticks, placement reports and probes, registry upkeep.
    const pids = nodePids(cluster);
    const cpu0 = cpuSeconds(pids);
    const wall0 = performance.now();
    await new Promise((r) => setTimeout(r, idleMs)); // a measurement window, not a wait for a condition
    const idleCpuPercent = ((cpuSeconds(pids) - cpu0) / ((performance.now() - wall0) / 1000)) * 100;
    const busy0 = cpuSeconds(pids);
    const busyWall0 = performance.now();
    const startAt = Date.now() + warmup + 500;
    const endAt = startAt + duration;
    const results = await Promise.all(
      names.map((name, i) =>
        cluster.rpc(name, 'debench.run', [{ ...plan.get(name), startAt, endAt, concurrency, timeout: 10_000, seed: i + 1 }], { timeout: endAt - Date.now() + 60_000 }),
      ),
    );
    const busyCpuPercent = ((cpuSeconds(pids) - busy0) / ((performance.now() - busyWall0) / 1000)) * 100;
    const ops = { spawn: 0, rpc: 0, send: 0, register: 0, whereis: 0, unregister: 0 };
    const errors = {};
    const channels = {};
    let control = 0;
    let gossip = 0;
    let framesReceived = 0;
    const latency = { spawn: 0, rpc: 0, register: 0, whereis: 0, unregister: 0 };
    const slowest = { register: 0, whereis: 0, unregister: 0 };
    for (const r of results) {
      for (const k of Object.keys(ops)) ops[k] += r.counts[k];
      for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
      for (const k of Object.keys(latency)) latency[k] += r.latencyMs[k] ?? 0;
      for (const k of Object.keys(slowest)) slowest[k] = Math.max(slowest[k], r.slowest?.[k] ?? 0);
      control += delta(r.after.byKind, r.before.byKind, 'control');
      gossip += delta(r.after.byKind, r.before.byKind, 'nodes');
      framesReceived += r.after.framesReceived - r.before.framesReceived;
      for (const ch of new Set([...Object.keys(r.after.byChannel), ...Object.keys(r.before.byChannel)])) {
        channels[ch] = (channels[ch] ?? 0) + delta(r.after.byChannel, r.before.byChannel, ch);
      }
    }
    const total = sum(Object.values(ops));
    const registryOps = ops.register + ops.whereis + ops.unregister;
    const seconds = duration / 1000;
    const result = {
      kind: 'debench',
      variant,
      size,
      processes,
      wave,
      openFileLimit: openFileLimit(),
      placement,
      concurrency,
      durationSeconds: seconds,
      startSeconds,
      settleSeconds,
      meshMissing,
      settled,
      netTickTime: TICK_MS,
      idleCpuPercent,
      busyCpuPercent,
      ops: total,
      throughput: total / seconds,
      opsByKind: ops,
      errors,
      connectionsPerNode: sum(results.map((r) => r.connections)) / size,
      maxConnections: Math.max(...results.map((r) => r.connections)),
      controlFrames: control + gossip,
      controlFramesPerOp: (control + gossip) / total,
      controlFramesPerSecond: (control + gossip) / seconds,
      controlByChannel: channels,
      registryFramesPerRegistryOp: registryOps > 0 ? (channels['sdnode.registry'] ?? 0) / registryOps : null,
      gossipFrames: gossip,
      framesPerOp: framesReceived / total,
      meanMs: Object.fromEntries(Object.keys(latency).map((k) => [k, ops[k] > 0 ? latency[k] / ops[k] : null])),
      slowestMs: slowest,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
