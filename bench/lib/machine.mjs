// The machine a benchmark run is measured on, as its results record it (machine.json), and the
// name of a run's results folder.
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

export function describeMachine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model?.trim() ?? 'unknown',
    memoryGB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    loadAverageBefore: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/** `<dir>/results/<date-time>`: where a run writes unless told otherwise. */
export function timestampedResults(dir) {
  return join(dir, 'results', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19));
}
