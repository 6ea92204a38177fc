// Ceilings: raw zeromq.js between two processes on loopback, no sdnode, no codec work in the loop
// (the small message is encoded once).
// - ceiling.zmq.single / ceiling.zmq.batch64: PUSH -> PULL throughput with one message per frame
//   and with 64 messages per frame (what batching per event-loop turn buys). Timed at the sender
//   from the first measured send until the receiver reports it has everything, after a warm-up
//   that also establishes the connection.
// - ceiling.zmq.rtt.p50 / .p99: sequential round trips of one small message over a PAIR socket to
//   an echo process (the floor under a remote call), nearest-rank percentiles in microseconds.
import { Pair, Push } from 'zeromq';
import { Encoder } from 'cbor-x';
import { fileURLToPath } from 'node:url';
import { emit, main, nowNs, scenarioArgs, smallFrame } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { startPeer } from '../lib/children.mjs';

const PEER = fileURLToPath(new URL('../peers/zmq-peer.mjs', import.meta.url));

/** Send `frames` frames of `payload` (plus a warm-up); returns frames per second. */
async function throughput(payload, frames) {
  const warmup = Math.max(10, Math.min(2000, Math.floor(frames / 20)));
  const peer = startPeer(process.execPath, [PEER, 'pull', String(payload.length), String(warmup), String(frames)], { label: 'zmq pull peer' });
  const push = new Push({ sendHighWaterMark: 100_000 });
  try {
    push.connect((await peer.nextLine((l) => l.startsWith('READY '))).slice(6));
    for (let i = 0; i < warmup; i++) await push.send(payload);
    await peer.nextLine((l) => l === 'WARM');
    const done = peer.nextLine((l) => l === 'DONE' || l.startsWith('BAD'), 120_000);
    const t0 = nowNs();
    for (let i = 0; i < frames; i++) await push.send(payload);
    const line = await done;
    const seconds = (nowNs() - t0) / 1e9;
    if (line !== 'DONE') throw new Error(`zmq pull peer: ${line}`);
    return frames / seconds;
  } finally {
    push.close();
    await peer.stop();
  }
}

/** `count` sequential round trips of `payload` (after a warm-up); returns sorted latencies in us. */
async function roundTrips(payload, count) {
  const peer = startPeer(process.execPath, [PEER, 'echo'], { label: 'zmq echo peer' });
  const pair = new Pair();
  try {
    pair.connect((await peer.nextLine((l) => l.startsWith('READY '))).slice(6));
    const trip = async () => {
      await pair.send(payload);
      const [back] = await pair.receive();
      if (back.length !== payload.length) throw new Error('zmq echo peer returned a different frame');
    };
    for (let i = 0; i < Math.min(count, 2000); i++) await trip();
    const latencies = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const t0 = nowNs();
      await trip();
      latencies[i] = (nowNs() - t0) / 1000;
    }
    return Array.from(latencies).sort((a, b) => a - b);
  } finally {
    pair.close();
    await peer.stop();
  }
}

main(async () => {
  const { n } = scenarioArgs(6_400_000);
  const encoder = new Encoder();
  const one = encoder.encode(smallFrame(1));
  const batch = Buffer.concat(Array.from({ length: 64 }, (_, i) => encoder.encode(smallFrame(i))));

  const singleN = Math.max(1000, Math.floor(n / 10));
  emit('ceiling.zmq.single', await throughput(one, singleN), 'msgs/s', { n: singleN, bytes: one.length });

  const batchFrames = Math.max(100, Math.floor(n / 64));
  emit('ceiling.zmq.batch64', (await throughput(batch, batchFrames)) * 64, 'msgs/s', { n: batchFrames * 64, bytes: batch.length });

  const trips = Math.max(1000, Math.round(n / 320));
  const sorted = await roundTrips(one, trips);
  emit('ceiling.zmq.rtt.p50', percentile(sorted, 50), 'us', { n: trips });
  emit('ceiling.zmq.rtt.p99', percentile(sorted, 99), 'us', { n: trips });
});
