// Shared by the failure-detection scenarios (remote-down.mjs, nodedown.mjs): not a scenario itself.
// Nodes of the built @sdnode/core on loopback with a transport the scenario configures (net tick
// time, the liveness side-channel), and peer nodes in child processes: every failure scenario runs
// its own script again as the peer (`<script> 1 role=peer`), so that the peer has the scenario's
// process types and answers its commands on stdin:
//   connect <name> <address>  -> connects, prints `CONNECTED <name>`
//   busy <ms>                 -> blocks its event loop with synchronous work, prints `BUSY done`
// and prints `NODEDOWN <name> <reason>` for every nodedown it sees (false ones included).
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { startPeer } from '../lib/children.mjs';
import { benchCarrier, listenAddress, loadCore, newCookie, stopNode } from '../lib/sdnode.mjs';

/** A node name unique to this OS process and role. */
export function failureNodeName(role) {
  return `bench_${role}_${process.pid}_${randomBytes(2).toString('hex')}@127.0.0.1`;
}

/**
 * Start a core Node with its own transport: the bench carrier (SDNODE_CARRIER, else the default),
 * `netTickTime` and, when given, the liveness side-channel bound `maxUnresponsive`.
 */
export async function startFailureNode({ core, transportLib, types }, { name, cookie, netTickTime, maxUnresponsive }) {
  const carrier = benchCarrier() ?? transportLib.DEFAULT_CARRIER;
  const Transport = carrier === 'zmq' ? transportLib.ZmqTransport : transportLib.NetTransport;
  const transport = new Transport({
    name,
    cookie,
    listen: 'tcp://127.0.0.1:0',
    ...(netTickTime === undefined ? {} : { netTickTime }),
    ...(maxUnresponsive === undefined ? {} : { maxUnresponsive }),
  });
  return core.Node.start({ name, cookie, transport, types });
}

/** loadCore plus @sdnode/transport (the failure scenarios build their nodes' transports). */
export async function loadFailureLibs(defineTypes) {
  const { core } = await loadCore();
  let transportLib;
  try {
    transportLib = await import('@sdnode/transport');
  } catch (err) {
    throw new Error(`cannot load @sdnode/transport (build it: npm run build): ${err.message}`);
  }
  return { core, transportLib, types: defineTypes(core) };
}

/** Whether this program was started as a peer (`role=peer`). */
export function isPeerRole(opts) {
  return opts.role === 'peer';
}

/**
 * The peer side: start a node from the options in SDNODE_FAILURE_PEER (JSON: name, cookie,
 * netTickTime, maxUnresponsive), print `READY {"name","address","pid"}`, then obey stdin.
 */
export async function runPeer(libs) {
  const options = JSON.parse(process.env.SDNODE_FAILURE_PEER ?? '{}');
  const node = await startFailureNode(libs, options);
  node.on('nodedown', (peer, info) => process.stdout.write(`NODEDOWN ${peer} ${info.reason ?? '?'}\n`));
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [command, ...args] = line.trim().split(' ');
    if (command === 'busy') {
      const end = Date.now() + Number(args[0]);
      while (Date.now() < end);
      process.stdout.write('BUSY done\n');
    } else if (command === 'connect') {
      node.connect(args[0], { address: args[1], timeout: 10_000 }).then(
        () => process.stdout.write(`CONNECTED ${args[0]}\n`),
        (err) => process.stdout.write(`CONNECTFAILED ${args[0]} ${err.message}\n`),
      );
    }
  });
  lines.on('close', async () => {
    await stopNode(node);
    process.exit(0);
  });
  process.stdout.write(`READY ${JSON.stringify({ name: options.name, address: listenAddress(node), pid: process.pid })}\n`);
}

/**
 * Start `script` as a peer node with these options; resolves with
 * { name, address, child, nextLine, send(line), stop() } once it listens.
 */
export async function startFailurePeer(script, options) {
  const name = options.name ?? failureNodeName('peer');
  const cookie = options.cookie ?? newCookie();
  const peer = startPeer(process.execPath, [script, '1', 'role=peer'], {
    env: { SDNODE_FAILURE_PEER: JSON.stringify({ ...options, name, cookie }) },
    label: `peer node ${name}`,
  });
  try {
    const line = await peer.nextLine((l) => l.startsWith('READY '), 30_000);
    const { address } = JSON.parse(line.slice(6));
    return { name, address, child: peer.child, nextLine: peer.nextLine, send: (text) => peer.child.stdin.write(`${text}\n`), stop: () => peer.stop(3000) };
  } catch (err) {
    await peer.stop();
    throw err;
  }
}

/** Resolves with the first `nodedown` of `node` for `peerName` (its time in ns, its reason); rejects after timeoutMs. */
export function nextNodedown(node, peerName, nowNs, timeoutMs) {
  return new Promise((resolve, reject) => {
    const listener = (name, info) => {
      if (name !== peerName) return;
      const at = nowNs();
      done();
      resolve({ at, reason: info.reason });
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no nodedown for ${peerName} within ${timeoutMs} ms`));
    }, timeoutMs);
    function done() {
      clearTimeout(timer);
      node.off('nodedown', listener);
    }
    node.on('nodedown', listener);
  });
}
