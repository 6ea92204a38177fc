// The Orbit part of `npm run bench:scale`: its table and its plots (time, messages and connections
// against cluster size, full mesh and SD-Orbit on one plot).
import { linePlot } from './svg.mjs';

const fixed = (v, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
const big = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v >= 1e4 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(0));
const NAMES = { free: 'free nodes (full mesh)', sgroups: 'SD-Orbit: s_groups of 8 + sub-masters' };

export function orbitTable(rows, table) {
  const head = ['variant', 'nodes', 'workers', 'procs', 'start s', 'orbit s', 'vertices/s', 'batches', 'batches/vertex', 'send frames', 'conn/node', 'max conn', 'correct', 'load'];
  return table(
    head,
    rows.map((r) =>
      r.error || r.stopped
        ? [r.variant, r.size, '', r.processes ?? '', '', r.error ? 'error' : 'stopped', '(below)', '', '', '', '', '', '', fixed(r.load1, 1)]
        : [
            r.variant,
            r.size,
            r.workers,
            r.processes,
            fixed(r.startSeconds),
            fixed(r.seconds, 2),
            big(r.verticesPerSecond),
            big(r.batches),
            fixed(r.batches / r.orbitSize, 2),
            big(r.sendFramesReceived),
            fixed(r.connectionsPerNode, 1),
            r.maxConnections,
            r.correct ? 'yes' : `NO (${r.orbitSize} of ${r.expectedOrbitSize})`,
            fixed(r.load1, 1),
          ],
    ),
    ['l'],
  );
}

export function orbitPlots(rows, variants, note) {
  const series = (pick) => variants.map((v) => ({ name: NAMES[v], points: rows.filter((r) => r.variant === v).map((r) => [r.size, r.error || r.stopped ? null : pick(r)]) }));
  const sizes = [...new Set(rows.map((r) => r.size))];
  return {
    'orbit-time.svg': linePlot({ title: 'Orbit: time to compute the orbit', xLabel: 'cluster size (nodes)', yLabel: 'seconds', series: series((r) => r.seconds), note }),
    'orbit-messages.svg': linePlot({ title: 'Orbit: distribution messages (batches, routed hops included)', xLabel: 'cluster size (nodes)', yLabel: 'messages per vertex', series: series((r) => r.batches / r.orbitSize), note }),
    'orbit-connections.svg': linePlot({
      title: 'Orbit: connections per node',
      xLabel: 'cluster size (nodes)',
      yLabel: 'connections per node (mean)',
      series: [...series((r) => r.connectionsPerNode), { name: 'full mesh (n - 1)', dashed: true, points: sizes.map((n) => [n, n - 1]) }],
      note,
    }),
  };
}
