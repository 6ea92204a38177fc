// One point of the Orbit scale benchmark: `size` nodes in the harness's multi mode (a fresh
// cluster), free nodes (full mesh; every worker sends to every worker) or s_groups (SD-Orbit:
// worker groups of 8 with a sub-master each, sub-masters in a `masters` group as gateways); the
// orbit of vertex 1 in a space of `space` integers (orbit-module.mjs). Reports the time to
// complete, the batches sent (distribution messages, routed hops included), the frames received,
// connections per node, and checks the orbit's size against the sequential computation.
// `node bench/scale/orbit-point.mjs variant=free|sgroups size=32 space=200000 workers=2 processes=2`
// Prints one `RESULT {json}` line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../lib/result.mjs';
import { masterGroups, nodeNames, targetsOf, writeClusterFile } from './lib/layout.mjs';
import { meshOrStall } from './lib/mesh.mjs';
import { processesFor } from './lib/limits.mjs';
import { sequentialOrbitSize } from './lib/orbit-graph.mjs';

const MODULE = fileURLToPath(new URL('./orbit-module.mjs', import.meta.url));
const opts = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const variant = opts.variant ?? 'free';
const size = Number(opts.size ?? 8);
const space = Number(opts.space ?? 200_000);
const workersPerNode = Number(opts.workers ?? 2);
const wantedProcesses = Number(opts.processes ?? 2);
const timeoutMs = Number(opts.timeout ?? 600_000);
const START = 1;
const TICK_MS = 60_000; // production tick time: a saturated machine must not read a late tick as a dead node

const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/** Read every node's counters (one wave). */
async function wave(cluster, names) {
  const counts = await Promise.all(names.map((n) => cluster.rpc(n, 'orbit.counters', [], { timeout: 30_000 })));
  return { sent: sum(counts.map((c) => c.sent)), handled: sum(counts.map((c) => c.handled)), vertices: sum(counts.map((c) => c.vertices)), items: sum(counts.map((c) => c.items)) };
}

/**
 * Until two consecutive waves agree and nothing is in flight (four-counter termination). Throws
 * when the counters stop moving with batches unaccounted for (lost: e.g. sent to a node nobody
 * could reach) for `stallMs`, or at the deadline.
 */
async function untilQuiet(cluster, names, deadline, stallMs = 15_000) {
  let last = await wave(cluster, names);
  let movedAt = performance.now();
  for (;;) {
    if (performance.now() > deadline) throw new Error(`orbit not complete after ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20)); // the interval between two waves, not a wait for a condition
    const next = await wave(cluster, names);
    if (next.sent === last.sent && next.handled === last.handled) {
      if (next.sent === next.handled) return next;
      if (performance.now() - movedAt > stallMs) throw new Error(`${next.sent - next.handled} batches lost (counters still for ${stallMs} ms): ${JSON.stringify(next)}`);
    } else movedAt = performance.now();
    last = next;
  }
}

main(async () => {
  if (!['free', 'sgroups'].includes(variant)) throw new Error(`variant: free or sgroups, not ${variant}`);
  const harness = await import(new URL('../../libs/harness/dist/index.js', import.meta.url).href);
  const cookie = `orbit-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'sdorbit-'));
  const names = nodeNames(size);
  const layout = variant === 'sgroups' ? masterGroups(names) : null;
  const maxConnections = layout === null ? size - 1 : 8 + Object.keys(layout.submasters).length;
  const processes = processesFor(size, maxConnections, wantedProcesses);
  const expected = sequentialOrbitSize(space, START);
  // Nodes join in waves, each once the previous ones are meshed (see debench-point.mjs).
  const wave = Number(opts.wave ?? 16);
  const plan = targetsOf(names, layout === null ? null : layout.groups);
  const t0 = performance.now();
  const cluster = await harness.Cluster.start({
    waitForMesh: false,
    mode: 'multi',
    nodes: names.slice(0, wave),
    cookie,
    module: MODULE,
    timeout: 120_000,
    netTickTime: TICK_MS,
    report: (text) => process.stderr.write(`${text.slice(0, 4_000)}\n`),
    multi: { processes, placement: false },
    ...(layout !== null ? { config: writeClusterFile(dir, names, layout.groups, cookie) } : {}),
  });
  try {
    // Every node connected to its targets before the orbit starts: a batch for a group member whose
    // address this node has not learnt yet (ports from the OS, addresses spread by the groups'
    // INFO) is dropped, and the orbit could never complete.
    const meshDeadline = t0 + 120_000;
    let meshMissing = await meshOrStall(cluster, plan, names.slice(0, wave), meshDeadline);
    for (let i = wave; i < size; i += wave) {
      await cluster.startNodes(names.slice(i, i + wave));
      meshMissing = await meshOrStall(cluster, plan, names.slice(0, Math.min(size, i + wave)), meshDeadline);
    }
    const startSeconds = (performance.now() - t0) / 1000;
    // Workers on every node, a router on every sub-master; then each node learns the routing.
    const groupNames = layout === null ? [] : Object.keys(layout.submasters);
    const groupOfNode = new Map();
    if (layout !== null) groupNames.forEach((g, i) => layout.groups[g].forEach((n) => groupOfNode.set(n, i)));
    const isSubmaster = (n) => layout !== null && Object.values(layout.submasters).includes(n);
    const spawned = await Promise.all(names.map((n) => cluster.rpc(n, 'orbit.spawn', [{ workers: workersPerNode, router: isSubmaster(n) }], { timeout: 30_000 })));
    const workers = spawned.flatMap((s) => s.workers);
    const groupOfWorker = names.flatMap((n) => Array.from({ length: workersPerNode }, () => groupOfNode.get(n) ?? 0));
    const routers = layout === null ? null : groupNames.map((g) => spawned[names.indexOf(layout.submasters[g])].router);
    await Promise.all(names.map((n) => cluster.rpc(n, 'orbit.init', [{ space, workers, groupOfWorker, routers, group: layout === null ? null : groupOfNode.get(n) }], { timeout: 30_000 })));
    const framesBefore = await Promise.all(names.map((n) => cluster.rpc(n, 'sdnode.harness.frames', [], { timeout: 30_000 })));
    const connectionsBefore = names.map((n) => cluster.node(n).connected().length);

    const t1 = performance.now();
    await cluster.rpc(names[0], 'orbit.seed', [START], { timeout: 30_000 });
    let done;
    try {
      done = await untilQuiet(cluster, names, t1 + timeoutMs);
    } catch (error) {
      const result = { kind: 'orbit', variant, size, processes, space, meshMissing, stopped: String(error?.message ?? error).slice(0, 300) };
      process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
      return;
    }
    const seconds = (performance.now() - t1) / 1000;

    const framesAfter = await Promise.all(names.map((n) => cluster.rpc(n, 'sdnode.harness.frames', [], { timeout: 30_000 })));
    const connections = names.map((n) => cluster.node(n).connected().length);
    const received = sum(framesAfter.map((a, i) => (a.byKind?.send ?? 0) + (a.byKind?.reg_send ?? 0) - (framesBefore[i].byKind?.send ?? 0) - (framesBefore[i].byKind?.reg_send ?? 0)));
    const result = {
      kind: 'orbit',
      variant,
      size,
      processes,
      space,
      workers: workers.length,
      startSeconds,
      meshMissing,
      seconds,
      orbitSize: done.vertices,
      expectedOrbitSize: expected,
      correct: done.vertices === expected,
      batches: done.sent,
      items: done.items,
      verticesPerSecond: done.vertices / seconds,
      sendFramesReceived: received,
      connectionsPerNode: sum(connections) / size,
      maxConnections: Math.max(...connections),
      connectionsBeforePerNode: sum(connectionsBefore) / size,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
