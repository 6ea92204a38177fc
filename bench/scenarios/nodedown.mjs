// Failure detection between node processes (issue 10, section 4), by `what=`:
//
// - kill: nodedown.kill.p50 / .max, ms from SIGKILL of a peer node process to nodedown on this
//   node; n samples, a fresh peer each (the socket close tells, no tick needed). The floor,
//   nodedown.kill.floor.p50: from the same SIGKILL to the end of a raw TCP connection to the same
//   process (the kernel closes a killed process's sockets only after tearing down its memory:
//   milliseconds for a Node.js heap, more on a loaded machine).
// - freeze: nodedown.freeze / .max, time from SIGSTOP of the peer to nodedown on this node as a
//   fraction of the net tick time (`tick=` ms, default 1000); n samples on one peer, thawed and
//   reconnected after each, frozen at a random phase of its ticks. With `liveness=on` both nodes
//   run the liveness side-channel (maxUnresponsive = 4 x tick), figures nodedown.freeze.liveness.*:
//   SIGSTOP stops the liveness thread too, so a frozen node is still detected in time.
// - busy: busy.falsedown, the nodedowns seen by any node (all false) while one of three nodes
//   blocks its event loop with synchronous work for 2 x the tick time, over n rounds, with the
//   liveness side-channel on (maxUnresponsive = 4 x tick); busy.falsedown.off the same without it.
//
// Every node runs on SDNODE_CARRIER (zmq|net) when set, else the default carrier.
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { newCookie, stopNode } from '../lib/sdnode.mjs';
import { failureNodeName, isPeerRole, loadFailureLibs, nextNodedown, runPeer, startFailureNode, startFailurePeer } from './failure-nodes.mjs';

const SCRIPT = fileURLToPath(import.meta.url);

/** Wait `ms` (a fault's length or a random phase, never a wait for a condition). */
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain TCP connection to a node's listen address (tcp://host:port), open. */
function rawConnection(address) {
  const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(address);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => resolve(socket));
    socket.once('error', reject);
    socket.on('data', () => {}); // the peer's ZMTP greeting, ignored
  });
}

async function measureKill(libs, n) {
  const samples = [];
  const floors = [];
  for (let i = 0; i < n; i++) {
    const cookie = newCookie();
    const peer = await startFailurePeer(SCRIPT, { cookie });
    const node = await startFailureNode(libs, { name: failureNodeName('watcher'), cookie });
    try {
      await node.connect(peer.name, { address: peer.address, timeout: 10_000 });
      const raw = await rawConnection(peer.address);
      const rawEnd = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the raw connection to the killed peer did not close within 10 s')), 10_000);
        raw.once('close', () => {
          clearTimeout(timer);
          resolve(nowNs());
        });
      });
      const down = nextNodedown(node, peer.name, nowNs, 10_000);
      const t0 = nowNs();
      peer.child.kill('SIGKILL');
      samples.push(((await down).at - t0) / 1e6);
      floors.push(((await rawEnd) - t0) / 1e6);
    } finally {
      await stopNode(node);
      await peer.stop();
    }
  }
  const sorted = samples.sort((a, b) => a - b);
  emit('nodedown.kill.p50', percentile(sorted, 50), 'ms', { n });
  emit('nodedown.kill.max', sorted.at(-1), 'ms', { n });
  emit('nodedown.kill.floor.p50', percentile(floors.sort((a, b) => a - b), 50), 'ms', { n });
}

async function measureFreeze(libs, n, tick, liveness) {
  const cookie = newCookie();
  const options = { cookie, netTickTime: tick, ...(liveness ? { maxUnresponsive: 4 * tick } : {}) };
  const peer = await startFailurePeer(SCRIPT, options);
  const node = await startFailureNode(libs, { name: failureNodeName('watcher'), ...options });
  const fractions = [];
  try {
    for (let i = 0; i < n; i++) {
      await node.connect(peer.name, { address: peer.address, timeout: 10_000 });
      await pause(tick / 2 + Math.random() * (tick / 2)); // ticks flowing, a random phase
      const down = nextNodedown(node, peer.name, nowNs, 5 * tick);
      const t0 = nowNs();
      peer.child.kill('SIGSTOP');
      const { at, reason } = await down.finally(() => peer.child.kill('SIGCONT'));
      if (reason !== 'tick_timeout') throw new Error(`frozen peer went down with ${reason}`);
      fractions.push((at - t0) / 1e6 / tick);
    }
  } finally {
    peer.child.kill('SIGCONT');
    await stopNode(node);
    await peer.stop();
  }
  const sorted = fractions.sort((a, b) => a - b);
  const name = liveness ? 'nodedown.freeze.liveness' : 'nodedown.freeze';
  emit(name, percentile(sorted, 50), 'x tick', { n, tick, liveness });
  emit(`${name}.max`, sorted.at(-1), 'x tick', { n, tick, liveness });
}

/** Rounds where one of three nodes is busy for 2 x tick; the nodedowns any node saw ('who: NODEDOWN whom reason'). */
async function countFalseDowns(libs, n, tick, maxUnresponsive) {
  const cookie = newCookie();
  const options = { cookie, netTickTime: tick, ...(maxUnresponsive === undefined ? {} : { maxUnresponsive }) };
  const busy = await startFailurePeer(SCRIPT, options);
  const other = await startFailurePeer(SCRIPT, options);
  const node = await startFailureNode(libs, { name: failureNodeName('watcher'), ...options });
  const seen = []; // 'who: NODEDOWN <peer> <reason>'
  let measuring = true; // not the nodedowns of stopping the nodes at the end
  node.on('nodedown', (peer, info) => measuring && seen.push(`watcher: NODEDOWN ${peer} ${info.reason}`));
  const roles = new Map([[busy.name, 'busy'], [other.name, 'other'], [node.name, 'watcher']]);
  const nextDown = (peer) => peer.nextLine((l) => l.startsWith('NODEDOWN '), 1).then((l) => l, () => undefined);
  try {
    for (let round = 0; round < n; round++) {
      await node.connect(busy.name, { address: busy.address, timeout: 10_000 });
      await node.connect(other.name, { address: other.address, timeout: 10_000 });
      other.send(`connect ${busy.name} ${busy.address}`);
      await other.nextLine((l) => l.startsWith(`CONNECTED ${busy.name}`), 10_000);
      await pause(tick); // ticks and vouching flowing everywhere
      busy.send(`busy ${2 * tick}`);
      await busy.nextLine((l) => l === 'BUSY done', 10 * tick);
      await pause(tick); // the busy node's own late checks, and any detection still in flight
      for (const peer of [busy, other]) {
        for (let line = await nextDown(peer); line !== undefined; line = await nextDown(peer)) seen.push(`${roles.get(peer.name)}: ${line}`);
      }
    }
    measuring = false;
  } finally {
    await stopNode(node);
    await Promise.all([busy.stop(), other.stop()]);
  }
  return seen.map((line) => line.replace(/NODEDOWN (\S+)/, (_, name) => `NODEDOWN ${roles.get(name) ?? name}`));
}

main(async () => {
  const { n, opts } = scenarioArgs(10);
  const libs = await loadFailureLibs(() => []);
  if (isPeerRole(opts)) return runPeer(libs).then(() => new Promise(() => {}));
  const tick = Number(opts.tick ?? 1000);
  switch (opts.what) {
    case 'kill':
      return measureKill(libs, n);
    case 'freeze':
      return measureFreeze(libs, n, tick, opts.liveness === 'on');
    case 'busy': {
      const on = await countFalseDowns(libs, n, tick, 4 * tick);
      emit('busy.falsedown', on.length, 'nodedowns', { n, tick, busyMs: 2 * tick, maxUnresponsive: 4 * tick, seen: on });
      const off = await countFalseDowns(libs, n, tick, undefined);
      emit('busy.falsedown.off', off.length, 'nodedowns', { n, tick, busyMs: 2 * tick, seen: off });
      return undefined;
    }
    default:
      throw new Error(`what=kill|freeze|busy, got ${opts.what}`);
  }
});
