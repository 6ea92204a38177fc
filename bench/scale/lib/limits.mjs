// How many files this process may open (/proc/self/limits, Linux), and how many worker processes
// a cluster needs so that none runs out: each connection end in a process holds about 5 file
// descriptors (a TCP socket, the Dealer's and its monitor sockets' mailboxes), measured here.
import { readFileSync } from 'node:fs';

export function openFileLimit() {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : 1024;
  } catch {
    return 1024;
  }
}

const FDS_PER_CONNECTION_END = 5.2;
const FDS_PER_NODE = 8;

/** Worker processes for `nodes` nodes of `connectionsPerNode` connections each: at least `wanted`, more if the file limit asks. */
export function processesFor(nodes, connectionsPerNode, wanted, limit = openFileLimit()) {
  const perNode = FDS_PER_NODE + FDS_PER_CONNECTION_END * (connectionsPerNode + 1); // + the driver
  const fit = Math.max(1, Math.floor((0.8 * limit) / perNode));
  return Math.min(nodes, Math.max(wanted, Math.ceil(nodes / fit)));
}
