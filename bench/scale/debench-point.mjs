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
import { missingConnections } from './lib/mesh.mjs';
import { frameTotals, growCluster, multiClusterOptions, waitForRegistry } from './lib/grow.mjs';

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

main(async () => {
  if (!['free', 'sgroups'].includes(variant)) throw new Error(`variant: free or sgroups, not ${variant}`);
  const harness = await import(new URL('../../libs/harness/dist/index.js', import.meta.url).href);
  const cookie = `debench-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'sdscale-'));
  const names = nodeNames(size);
  const groups = variant === 'sgroups' ? ringGroups(names) : null;
  const maxConnections = groups === null ? size - 1 : Math.max(...[...targetsOf(names, groups).values()].map((t) => t.targets.length));
  const processes = processesFor(size, maxConnections, wantedProcesses);
  // Nodes join in waves of `wave` (lib/grow.mjs says why); a cluster that cannot grow to `size`
  // (nodes did not start in time on the saturated machine) is this point's result, reported as such.
  const wave = Number(opts.wave ?? 16);
  const plan = targetsOf(names, groups);
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
      ...(groups !== null ? { config: writeClusterFile(dir, names, groups, cookie) } : {}),
    }),
  });
  const { cluster, startSeconds } = grownCluster;
  let { meshMissing } = grownCluster;
  if (cluster === null) {
    rmSync(dir, { recursive: true, force: true });
    const { stopped, grown } = grownCluster;
    process.stdout.write(`RESULT ${JSON.stringify({ kind: 'debench', variant, size, processes, stopped, grown, meshMissing })}\n`);
    return;
  }
  process.stderr.write(`${variant} ${size}: ${size} nodes in ${processes} processes up in ${startSeconds.toFixed(1)} s\n`);
  try {
    // The registry scopes settle after the mesh: the window starts once every scope is stable.
    const { settled, settleSeconds } = await waitForRegistry(cluster, names);
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
    const latency = { spawn: 0, rpc: 0, register: 0, whereis: 0, unregister: 0 };
    const slowest = { register: 0, whereis: 0, unregister: 0 };
    for (const r of results) {
      for (const k of Object.keys(ops)) ops[k] += r.counts[k];
      for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
      for (const k of Object.keys(latency)) latency[k] += r.latencyMs[k] ?? 0;
      for (const k of Object.keys(slowest)) slowest[k] = Math.max(slowest[k], r.slowest?.[k] ?? 0);
    }
    const { byKind, byChannel: channels, framesReceived } = frameTotals(results);
    const control = byKind.control ?? 0;
    const gossip = byKind.nodes ?? 0;
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
