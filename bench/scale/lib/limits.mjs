// How many files this process may open (/proc/self/limits, Linux), and how many worker processes
// a cluster needs so that none runs out. The multi mode's nodes run on the runtime's default
// carrier, net, where each connection end in a process holds about 2.1 file descriptors (its two
// TCP streams, one dialled by each side), measured here: 591 sockets and 609 descriptors for 12
// nodes of 24 connection ends each. (On the zmq carrier it was about 5.2: a TCP socket, the
// Dealer's and its monitor sockets' mailboxes.)
import { readFileSync } from 'node:fs';

export function openFileLimit() {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : 1024;
  } catch {
    return 1024;
  }
}

const FDS_PER_CONNECTION_END = 2.1;
const FDS_PER_NODE = 8;

/** Worker processes for `nodes` nodes of `connectionsPerNode` connections each: at least `wanted`, more if the file limit asks. */
export function processesFor(nodes, connectionsPerNode, wanted, limit = openFileLimit()) {
  const perNode = FDS_PER_NODE + FDS_PER_CONNECTION_END * (connectionsPerNode + 1); // + the driver
  const fit = Math.max(1, Math.floor((0.8 * limit) / perNode));
  return Math.min(nodes, Math.max(wanted, Math.ceil(nodes / fit)));
}
