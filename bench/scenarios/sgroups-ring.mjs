// sgroups.connections.n64 and sgroups.change.p50: n node processes (64; 16 with --quick) started
// by @sdnode/harness (local mode, each on its own loopback address, ports from the OS) from a
// generated cluster file with a ring of s_groups: group i holds nodes 8i..8i+7 and node
// 8((i+1) mod G), the first node of the next group (a gateway). Once every node sees exactly its
// groups' members:
// - connections.n<n>: the mean number of connections per node (visible and point to point; the
//   hidden driver excluded), against n - 1 for a full mesh (8 for most nodes, 16 for gateways:
//   mean 9 at 64 nodes);
// - change.p50 / .p99: ms for an agreed change adding one node to a group of 9 (then removing it
//   again), made by a member through its rpc, timed by that node around `addNodes` / `removeNodes`.
// `node sgroups-ring.mjs <n>`
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emit, main, nowNs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';

const CHANGES = 40;

function clusterFile(n) {
  const groups = Math.max(2, Math.floor(n / 8));
  const names = Array.from({ length: n }, (_, i) => `n${i}@127.0.41.${i + 2}`);
  const lines = ['cookie: sgroups-bench', 'defaults: {basePort: 0}', `nodes: [${names.join(', ')}]`, 'sgroups:'];
  for (let g = 0; g < groups; g++) {
    const members = names.slice(8 * g, 8 * g + 8);
    members.push(names[(8 * ((g + 1) % groups)) % n]);
    lines.push(`  g${g}: [${members.join(', ')}]`);
  }
  return { text: `${lines.join('\n')}\n`, names, groups };
}

main(async () => {
  const n = Number(process.argv[2] ?? 64);
  const harness = await import(new URL('../../libs/harness/dist/index.js', import.meta.url).href);
  const { SGroupFunctions } = await import(new URL('../../libs/sgroups/dist/index.js', import.meta.url).href);
  const dir = mkdtempSync(join(tmpdir(), 'sdbench-sgroups-'));
  const { text, names } = clusterFile(n);
  const file = join(dir, 'cluster.yaml');
  writeFileSync(file, text);
  const t0 = nowNs();
  const cluster = await harness.Cluster.start({ config: file, nodes: names, cookie: 'sgroups-bench', timeout: 170_000 });
  try {
    process.stderr.write(`${n} nodes up in ${((nowNs() - t0) / 1e9).toFixed(1)} s\n`);
    let total = 0;
    for (const name of names) {
      const s = await cluster.state(name, { timeout: 10_000 });
      total += s.nodes.length + (s.pointToPoint?.length ?? 0);
    }
    emit('sgroups.connections.n64', total / n, 'connections', { n, fullMesh: n - 1 });

    // agreed changes in group g0 (9 members), made by n1: add n9 (of g1), then remove it again
    const ms = [];
    for (let i = 0; i < CHANGES; i++) {
      for (const op of ['add', 'remove']) {
        const started = nowNs();
        await cluster.rpc(names[1], SGroupFunctions.change, [op, 'g0', [names[9]]], { timeout: 20_000 });
        ms.push((nowNs() - started) / 1e6);
      }
    }
    ms.sort((a, b) => a - b);
    emit('sgroups.change.p50', percentile(ms, 50), 'ms', { n: ms.length });
    emit('sgroups.change.p99', percentile(ms, 99), 'ms', { n: ms.length });
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
