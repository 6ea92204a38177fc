// Memory of OS processes from /proc (Linux): RSS counts every page a process maps, shared ones
// (the node binary, libraries) in full for each process; PSS divides shared pages among the
// processes sharing them, so summed over processes it is what they take together.
import { readFileSync } from 'node:fs';

export function processMemory(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKb: kb('Rss'), pssKb: kb('Pss') };
}

/** The OS pids of a cluster's nodes, from their `listening` lines. */
export function nodePids(cluster) {
  const pids = new Set();
  for (const m of cluster.nodes) {
    const e = m.log.currentEvents().find((x) => x.event === 'listening');
    if (e !== undefined && typeof e.pid === 'number') pids.add(e.pid);
  }
  return [...pids];
}

/** CPU time (user + system) of the processes so far, in seconds (/proc/<pid>/stat, clock ticks of 1/100 s). */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}
