// Ceiling: raw zeromq.js PUSH -> PULL between two processes on loopback, no sdnode, no codec work
// in the loop (the small message is encoded once). Two figures: one message per ZeroMQ frame, and
// 64 messages per frame (what batching per event-loop turn buys). Timed at the sender from the
// first measured send until the receiver reports it has everything (after a warm-up that also
// establishes the connection).
import { Push } from 'zeromq';
import { Encoder } from 'cbor-x';
import { fileURLToPath } from 'node:url';
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';
import { smallFrame } from '../lib/message.mjs';
import { startPeer } from '../lib/peer.mjs';

const PULL = fileURLToPath(new URL('../peers/zmq-pull.mjs', import.meta.url));

/** Send `frames` frames of `payload` (plus a warm-up); returns frames per second. */
async function measure(payload, frames) {
  const warmup = Math.max(10, Math.min(2000, Math.floor(frames / 20)));
  const peer = startPeer(process.execPath, [PULL, String(payload.length), String(warmup), String(frames)], { label: 'zmq-pull' });
  const push = new Push({ sendHighWaterMark: 100_000 });
  try {
    const endpoint = (await peer.nextLine((l) => l.startsWith('READY '))).slice(6);
    push.connect(endpoint);
    for (let i = 0; i < warmup; i++) await push.send(payload);
    await peer.nextLine((l) => l === 'WARM');
    const done = peer.nextLine((l) => l === 'DONE' || l.startsWith('BAD'), 120_000);
    const t0 = nowNs();
    for (let i = 0; i < frames; i++) await push.send(payload);
    const line = await done;
    const seconds = (nowNs() - t0) / 1e9;
    if (line !== 'DONE') throw new Error(`zmq-pull: ${line}`);
    return frames / seconds;
  } finally {
    push.close();
    await peer.stop();
  }
}

main(async () => {
  const { n } = scenarioArgs(3_200_000);
  const encoder = new Encoder();
  const one = encoder.encode(smallFrame(1));
  const batch = Buffer.concat(Array.from({ length: 64 }, (_, i) => encoder.encode(smallFrame(i))));

  const singleN = Math.max(1000, Math.floor(n / 10));
  const single = await measure(one, singleN);
  emit('ceiling.zmq.single', single, 'msgs/s', { n: singleN, bytes: one.length });

  const batchFrames = Math.max(100, Math.floor(n / 64));
  const batched = (await measure(batch, batchFrames)) * 64;
  emit('ceiling.zmq.batch64', batched, 'msgs/s', { n: batchFrames * 64, bytes: batch.length });
});
