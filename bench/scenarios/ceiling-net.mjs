// Ceiling: raw node:net between two Node.js processes on loopback, no sdnode, no ZeroMQ, no codec
// work in the loop (the small message is encoded once).
// - ceiling.net.rtt.p50 / .p99: sequential round trips of one small message (the same bytes as
//   ceiling.zmq.rtt's) to an echo process that writes back every chunk as it arrives, over one TCP
//   connection with Nagle off on both sides; nearest-rank percentiles in microseconds. The floor
//   of the operating system and the event loop under a remote call: what a carrier that reads and
//   writes its sockets on the event loop can approach (ZMTP over node:net, libs/transport/src/zmtp).
// The echo side is this program started again with `--echo-peer` (it prints `READY <port>` and
// exits when its stdin closes, never outliving the scenario).
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Encoder } from 'cbor-x';
import { emit, main, nowNs, scenarioArgs, smallFrame } from '../lib/result.mjs';
import { percentile } from '../lib/stats.mjs';
import { startPeer } from '../lib/children.mjs';

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--echo-peer') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  const server = createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
} else {
  main(async () => {
    const { n } = scenarioArgs(6_400_000);
    const one = new Encoder().encode(smallFrame(1));
    const trips = Math.max(1000, Math.round(n / 320));
    const sorted = await roundTrips(one, trips);
    emit('ceiling.net.rtt.p50', percentile(sorted, 50), 'us', { n: trips, bytes: one.length });
    emit('ceiling.net.rtt.p99', percentile(sorted, 99), 'us', { n: trips, bytes: one.length });
  });
}

/** `count` sequential round trips of `payload` (after a warm-up); returns sorted latencies in us. */
async function roundTrips(payload, count) {
  const peer = startPeer(process.execPath, [SELF, '--echo-peer'], { label: 'net echo peer' });
  let socket;
  try {
    const port = Number((await peer.nextLine((l) => l.startsWith('READY '))).slice(6));
    socket = await new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
      s.once('error', reject);
    });
    // One trip: write the message, resolve once as many bytes came back (the echo may split them).
    let expected = 0;
    let wake = null;
    socket.on('data', (chunk) => {
      expected -= chunk.length;
      if (expected <= 0 && wake !== null) {
        const w = wake;
        wake = null;
        w();
      }
    });
    const trip = () =>
      new Promise((resolve) => {
        expected = payload.length;
        wake = resolve;
        socket.write(payload);
      });
    for (let i = 0; i < Math.min(count, 2000); i++) await trip();
    const latencies = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const t0 = nowNs();
      await trip();
      latencies[i] = (nowNs() - t0) / 1000;
    }
    return Array.from(latencies).sort((a, b) => a - b);
  } finally {
    socket?.destroy();
    await peer.stop();
  }
}
