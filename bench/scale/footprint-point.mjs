// One footprint measurement: start n nodes with @sdnode/harness in `mode` (local: a `sdnode start`
// process per node; multi: `perProcess` nodes per worker process) and shape (idle: no seeds, each
// node alone but for the driver; mesh: the default seeds, a full mesh; sgroups: s_groups of 8 in a
// ring, from a cluster file), time Cluster.start (until the mesh, or each group's mesh, is formed),
// let the nodes settle, and read the memory of every node process from /proc.
// `node bench/scale/footprint-point.mjs mode=multi n=200 shape=idle perProcess=25 settle=3000`
// Prints one `RESULT {json}` line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../lib/result.mjs';
import { nodeNames, ringGroups, writeClusterFile } from './lib/layout.mjs';
import { nodePids, processMemory } from './lib/memory.mjs';

const opts = Object.fromEntries(process.argv.slice(2).map((kv) => kv.split('=')));
const mode = opts.mode ?? 'multi';
const n = Number(opts.n ?? 32);
const shape = opts.shape ?? 'idle';
const perProcess = Number(opts.perProcess ?? 25);
const settle = Number(opts.settle ?? 3000);

main(async () => {
  const harness = await import(new URL('../../libs/harness/dist/index.js', import.meta.url).href);
  const cookie = `scale-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'sdscale-'));
  const names = nodeNames(n);
  const options = {
    mode,
    cookie,
    timeout: 240_000,
    report: (text) => process.stderr.write(`${text.slice(0, 20_000)}\n`),
    multi: { nodesPerProcess: perProcess },
    ...(shape === 'idle' ? { nodes: n, seeds: 'none', waitForMesh: false } : {}),
    ...(shape === 'mesh' ? { nodes: n } : {}),
    ...(shape === 'sgroups' ? { nodes: names, config: writeClusterFile(dir, names, ringGroups(names), cookie) } : {}),
  };
  const t0 = performance.now();
  const cluster = await harness.Cluster.start({ ...options, waitForMesh: false });
  if (shape !== 'idle') {
    // The mesh (per group with s_groups), checked every 2n ms: the check reads every node's events.
    try {
      await cluster.waitForMesh({ timeout: 240_000, interval: Math.max(25, 2 * n) });
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }
  const startSeconds = (performance.now() - t0) / 1000;
  try {
    await new Promise((r) => setTimeout(r, settle)); // a measurement, not a wait for a condition: let timers and heaps settle
    const pids = nodePids(cluster);
    let rssKb = 0;
    let pssKb = 0;
    for (const pid of pids) {
      const m = processMemory(pid);
      rssKb += m.rssKb;
      pssKb += m.pssKb;
    }
    let connections = 0;
    for (const m of cluster.nodes) connections += m.connected().length;
    const result = {
      kind: 'footprint',
      mode,
      shape,
      n,
      processes: pids.length,
      startSeconds,
      startMsPerNode: (startSeconds * 1000) / n,
      rssMB: rssKb / 1024,
      pssMB: pssKb / 1024,
      rssMBPerNode: rssKb / 1024 / n,
      pssMBPerNode: pssKb / 1024 / n,
      connectionsPerNode: connections / n,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
