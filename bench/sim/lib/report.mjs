// The table and the plots of `npm run bench:sim`, from the points' results (libs/sim's PointResult
// plus rssMB / heapMB). Plots reuse bench/scale's line plots.
import { linePlot } from '../../scale/lib/svg.mjs';

const per = (a, b) => (b > 0 ? a / b : null);

/** One flat row per point: what the table and the JSON lines' readers need first. */
export function summarise(r) {
  return {
    variant: r.variant,
    mode: r.mode,
    nodes: r.nodes,
    groups: r.groups,
    connMean: r.connections.mean,
    connMax: r.connections.max,
    startMsgsPerNode: per(r.start.messages, r.nodes),
    startHandshakes: r.start.handshakes,
    regMsgs: per(r.registration.messages, r.registration.count),
    regFrames: per(r.registration.frames, r.registration.count),
    regFailed: r.registration.failed,
    changeMsgs: r.membership.messages,
    changeFrames: r.membership.frames,
    changeHandshakes: r.membership.handshakes,
    changeOk: r.membership.ok,
    healMs: r.heal?.convergeMs ?? null,
    healMsgs: r.heal?.cost.messages ?? null,
    healCut: r.heal?.cut ?? null,
    healOk: r.heal === null ? null : r.heal.connectionsRestored && r.heal.conflictResolved,
    heapKBPerNode: r.heapPerNode / 1024,
    infoBytesMean: r.startInfo ? per(r.startInfo.bytes, r.startInfo.count) : null,
    infoBytesMax: r.startInfo?.maxBytes ?? null,
    defsPerNode: r.state?.defsMean ?? null,
    addressesPerNode: r.state?.addressesMean ?? null,
    rssMB: r.rssMB,
    wallS: r.wallMs / 1000,
    events: r.events,
  };
}

const COLUMNS = [
  ['variant', 'variant', (v) => v],
  ['mode', 'registry', (v) => v],
  ['nodes', 'nodes', (v) => String(v)],
  ['connMean', 'conn/node', (v) => v.toFixed(1)],
  ['connMax', 'max conn', (v) => String(v)],
  ['startMsgsPerNode', 'start msgs/node', (v) => fmt(v)],
  ['regMsgs', 'msgs/reg', (v) => fmt(v)],
  ['regFrames', 'frames/reg', (v) => fmt(v)],
  ['changeMsgs', 'msgs/change', (v) => fmt(v)],
  ['changeHandshakes', 'hs/change', (v) => String(v / 4)],
  ['healMs', 'heal ms', (v) => (v === null ? '-' : v.toFixed(0))],
  ['healMsgs', 'heal msgs', (v) => (v === null ? '-' : fmt(v))],
  ['healOk', 'healed', (v) => (v === null ? '-' : v ? 'yes' : 'NO')],
  ['infoBytesMean', 'INFO B', (v) => fmt(v)],
  ['infoBytesMax', 'max INFO B', (v) => fmt(v)],
  ['defsPerNode', 'defs/node', (v) => fmt(v)],
  ['addressesPerNode', 'addrs/node', (v) => fmt(v)],
  ['heapKBPerNode', 'heap KB/node', (v) => v.toFixed(0)],
  ['rssMB', 'RSS MB', (v) => String(v)],
  ['wallS', 'wall s', (v) => v.toFixed(0)],
];

function fmt(v) {
  if (v === null || !Number.isFinite(v)) return '-';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)} k`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** The rows as a fixed-width text table. */
export function table(rows) {
  const cells = rows.map((r) => COLUMNS.map(([key, , f]) => f(r[key])));
  const widths = COLUMNS.map(([, title], i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(COLUMNS.map(([, title]) => title)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The plots (file name -> SVG text): one series per variant and registry mode. */
export function plots(rows, note) {
  const keys = [...new Set(rows.map((r) => `${r.variant}, ${r.mode}`))].sort();
  const series = (field) =>
    keys.map((k) => ({
      name: k.replace('sgroups', 's_groups'),
      dashed: k.includes('partitioned'),
      points: rows.filter((r) => `${r.variant}, ${r.mode}` === k).map((r) => [r.nodes, r[field]]),
    }));
  const plot = (title, yLabel, field) => linePlot({ title, xLabel: 'nodes (simulated)', yLabel, series: series(field), note });
  return {
    'connections.svg': plot('Connections per node', 'connections per node (mean)', 'connMean'),
    'registration.svg': plot('Messages per registration', 'registry messages per register', 'regMsgs'),
    'membership.svg': plot('Messages per membership change', 'messages (a node joins the mesh / a group)', 'changeMsgs'),
    'heal.svg': plot('Time to converge after a partition heals', 'virtual ms', 'healMs'),
    'start.svg': plot('Messages to form the cluster, per node', 'protocol messages per node', 'startMsgsPerNode'),
    'memory.svg': plot('Simulator heap per node', 'KB per simulated node', 'heapKBPerNode'),
  };
}
