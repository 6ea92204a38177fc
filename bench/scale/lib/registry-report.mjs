// The registry part of `npm run bench:scale` (registry-point.mjs): its table and its plot (registry
// frames and CPU per registration against cluster size, replicated against partitioned scope).
import { linePlot, sideBySide } from './svg.mjs';

const fixed = (v, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
const big = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v >= 1e4 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(0));
const NAMES = { replicated: 'replicated', partitioned: 'partitioned' };

/** One row per point; `table(head, rows, align)` is run.mjs's text table. */
export function registryTable(rows, table) {
  const head = ['mode', 'nodes', 'procs', 'start s', 'settle s', 'conn/node', 'view', 'regs/s', 'reg fr/reg', 'bytes/reg', 'CPU ms/reg', 'net ms/reg', 'idle CPU', 'busy CPU', 'reg ms', 'errors', 'load'];
  return table(
    head,
    rows.map((r) =>
      r.error || r.stopped
        ? [r.mode, r.size, r.processes ?? '', '', '', '', '', r.error ? 'error' : 'stopped', '(below)', '', '', '', '', '', '', '', fixed(r.load1, 1)]
        : [
            r.mode,
            r.size,
            r.processes,
            fixed(r.startSeconds),
            `${fixed(r.settleSeconds)}${r.settled ? '' : '!'}`,
            `${fixed(r.connectionsPerNode, 1)}`,
            fixed(r.viewPerNode, 1),
            big(r.registrationsPerSecond),
            fixed(r.registryFramesPerRegistration, 2),
            big(r.bytesPerRegistration),
            fixed(r.cpuMsPerRegistration, 2),
            fixed(r.netCpuMsPerRegistration, 2),
            `${fixed(r.idleCpuPercent, 0)}%`,
            `${fixed(r.busyCpuPercent, 0)}%`,
            fixed(r.meanMs?.register, 1),
            r.errorCount,
            fixed(r.load1, 1),
          ],
    ),
    ['l'],
  );
}

/** What a point that was measured still lacked: an incomplete mesh or view, errors, refused peers. */
export function registryNotes(rows) {
  const notes = [];
  for (const r of rows) {
    if (r.error || (r.stopped && r.registrations === undefined)) continue;
    const parts = [];
    if (r.stopped && r.registrations + r.unregistrations < 100) {
      parts.push(`not formed (see above), measured anyway: ${r.registrations} registrations and ${r.unregistrations} unregistrations completed in the ${r.durationSeconds} s window; ${big(r.registryFrames)} registry frames received (idle CPU ${fixed(r.idleCpuPercent, 0)}%, busy ${fixed(r.busyCpuPercent, 0)}%)`);
    } else if (r.stopped) {
      parts.push(`not formed (see above), measured anyway: ${big(r.registrationsPerSecond)} registrations/s, ${fixed(r.registryFramesPerRegistration, 2)} registry frames, ${big(r.bytesPerRegistration)} bytes and ${fixed(r.cpuMsPerRegistration, 2)} CPU ms per registration (idle CPU ${fixed(r.idleCpuPercent, 0)}%), register ${fixed(r.meanMs?.register, 0)} ms on average`);
    }
    if (r.connected) parts.push(`the driver asked for ${r.connected.asked} connections (${r.connected.failed} failed, ${r.connected.missing} still missing after ${fixed(r.connected.seconds, 0)} s)`);
    if (r.meshMissing > 0 && !r.stopped) parts.push(`${r.meshMissing} mesh connections missing when the window opened (${fixed(r.connectionsPerNode, 1)} of ${r.size - 1} per node at the end, fewest ${r.minConnections})`);
    if (!r.settled && !r.stopped) parts.push(`the global scope did not settle in ${fixed(r.settleSeconds, 0)} s (views of ${r.minView}-${r.size} nodes; ${r.unstableScopes} unstable at the end)`);
    if (r.errorCount > 0) parts.push(`errors: ${Object.entries(r.errors).map(([k, v]) => `${k} x${v}`).join(', ')}`);
    const downs = Object.entries(r.nodedowns ?? {});
    if (downs.length > 0) parts.push(`connections lost over the point (nodedown events): ${downs.map(([k, v]) => `${k} x${v}`).join(', ')}`);
    if (r.refused > 0) parts.push(`${r.refused} peers refused`);
    if (r.forcedStable > 0) parts.push(`${r.forcedStable} views declared stable by settleTimeout`);
    if (parts.length > 0) notes.push(`  ${r.mode} ${r.size}: ${parts.join('; ')}`);
  }
  return notes;
}

export function registryPlots(rows, modes, note) {
  const series = (pick) => modes.map((m) => ({ name: NAMES[m] ?? m, points: rows.filter((r) => r.mode === m).map((r) => [r.size, r.error || r.stopped ? null : pick(r)]) }));
  return {
    'registry-cost.svg': sideBySide([
      linePlot({ title: 'Registry frames per registration (global scope)', xLabel: 'cluster size (nodes)', yLabel: 'frames received, all nodes (register + unregister)', series: series((r) => r.registryFramesPerRegistration), note }),
      linePlot({ title: 'CPU per registration', xLabel: 'cluster size (nodes)', yLabel: 'ms of CPU, all worker processes', series: series((r) => r.cpuMsPerRegistration), note }),
    ]),
  };
}
