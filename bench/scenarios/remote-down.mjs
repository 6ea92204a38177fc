// remote.down.p50 / .p99: microseconds from a remote process's exit to its watcher's DOWN. A
// process on this node spawns a victim on a peer node (another OS process) with a monitor, tells
// it to exit; the victim sends the watcher the time it exits at (process.hrtime: CLOCK_MONOTONIC,
// one clock for every process of the machine) as its last act and returns; the watcher takes the
// time when it receives the DOWN. Messages between a pair of processes keep their order, so the
// timestamp arrives before the DOWN. remote.down.message.p50 is the floor in the same samples: the
// victim's last message, from its send to its receipt (one way, the same clock). Erlang counterpart: not in bench/peers/erlang yet (issue 10
// quotes ~34 us for erlang:monitor + exit on this machine kind).
//
// Both nodes use SDNODE_CARRIER (zmq|net) when set, else the default carrier.
import { fileURLToPath } from 'node:url';
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { inProcess, newCookie, stopNode } from '../lib/sdnode.mjs';
import { failureNodeName, isPeerRole, loadFailureLibs, runPeer, startFailureNode, startFailurePeer } from './failure-nodes.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const WARMUP = 200;

function defineTypes({ defineProcess }) {
  /** Waits for {watcher}, sends it {exitAt} and exits (normal). */
  const Victim = defineProcess('bench.down.victim', async (ctx) => {
    const m = await ctx.receive((msg) => (msg && msg.watcher ? msg : undefined));
    ctx.send(m.watcher, { exitAt: nowNs() });
  });
  return [Victim];
}

main(async () => {
  const { n, opts } = scenarioArgs(5_000);
  const libs = await loadFailureLibs(defineTypes);
  if (isPeerRole(opts)) return runPeer(libs).then(() => new Promise(() => {}));
  const { isDownMessage } = libs.core;
  const cookie = newCookie();
  const peer = await startFailurePeer(SCRIPT, { cookie });
  const node = await startFailureNode(libs, { name: failureNodeName('watcher'), cookie });
  try {
    await node.connect(peer.name, { address: peer.address, timeout: 10_000 });
    const samples = await inProcess(node, async (ctx) => {
      const out = { down: [], message: [] };
      for (let i = 0; i < WARMUP + n; i++) {
        const { pid, ref } = await ctx.spawnRemote(peer.name, 'bench.down.victim', [], { monitor: true, timeout: 5000 });
        ctx.send(pid, { watcher: ctx.self });
        const { exitAt } = await ctx.receive((m) => (m && typeof m.exitAt === 'number' ? m : undefined), { timeout: 5000 });
        const messageAt = nowNs();
        const down = await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m : undefined), { timeout: 5000 });
        const at = nowNs();
        if (down.reason !== 'normal' && down.reason?.kind !== 'normal') throw new Error(`victim ${i} went down with ${JSON.stringify(down.reason)}`);
        if (i >= WARMUP) {
          out.down.push((at - exitAt) / 1000);
          out.message.push((messageAt - exitAt) / 1000);
        }
      }
      return out;
    });
    const down = samples.down.sort((a, b) => a - b);
    const message = samples.message.sort((a, b) => a - b);
    emit('remote.down.p50', percentile(down, 50), 'us', { n: down.length });
    emit('remote.down.p99', percentile(down, 99), 'us', { n: down.length });
    emit('remote.down.message.p50', percentile(message, 50), 'us', { n: message.length });
  } finally {
    await stopNode(node);
    await peer.stop();
  }
});
