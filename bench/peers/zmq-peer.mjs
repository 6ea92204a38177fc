// The far side of the raw ZeroMQ ceilings, in its own process on loopback.
//   node zmq-peer.mjs pull <frameBytes> <warmupFrames> <frames>
//     a PULL socket that counts frames: prints `WARM` once the warm-up frames arrived, then `DONE`
//     once the measured ones did (each of exactly frameBytes bytes, or it prints BAD and exits 1).
//   node zmq-peer.mjs echo
//     a PAIR socket that sends every frame straight back (for round-trip latency).
// Both print `READY <endpoint>` first, and exit when their stdin closes (never outliving the sender).
import { Pair, Pull } from 'zeromq';

const [mode, ...rest] = process.argv.slice(2);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

if (mode === 'pull') await pull(...rest.map(Number));
else if (mode === 'echo') await echo();
else {
  process.stderr.write('usage: zmq-peer.mjs pull <frameBytes> <warmupFrames> <frames> | echo\n');
  process.exit(2);
}

async function pull(frameBytes, warmupFrames, frames) {
  const socket = new Pull({ receiveHighWaterMark: 100_000 });
  await socket.bind('tcp://127.0.0.1:0');
  process.stdout.write(`READY ${socket.lastEndpoint}\n`);
  let got = 0;
  const total = warmupFrames + frames;
  for await (const [frame] of socket) {
    if (frame.length !== frameBytes) {
      process.stdout.write(`BAD frame of ${frame.length} bytes, expected ${frameBytes}\n`);
      process.exit(1);
    }
    got++;
    if (got === warmupFrames) process.stdout.write('WARM\n');
    if (got === total) {
      process.stdout.write('DONE\n');
      break;
    }
  }
  socket.close();
}

async function echo() {
  const socket = new Pair();
  await socket.bind('tcp://127.0.0.1:0');
  process.stdout.write(`READY ${socket.lastEndpoint}\n`);
  for await (const [frame] of socket) await socket.send(frame);
}
