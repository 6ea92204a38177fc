// Receiving side of the raw ZeroMQ ceiling: a PULL socket on loopback that counts frames.
// Usage: node zmq-pull.mjs <frameBytes> <warmupFrames> <frames>
// Prints `READY <endpoint>`, then `WARM` once the warm-up frames arrived, then `DONE` once the
// measured frames arrived (each of exactly frameBytes bytes, or it reports BAD and exits 1).
// Exits when its stdin closes, so it never outlives the sender.
import { Pull } from 'zeromq';

const [frameBytes, warmupFrames, frames] = process.argv.slice(2).map(Number);
const pull = new Pull({ receiveHighWaterMark: 100_000 });
await pull.bind('tcp://127.0.0.1:0');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.stdout.write(`READY ${pull.lastEndpoint}\n`);

let got = 0;
const total = warmupFrames + frames;
for await (const [frame] of pull) {
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
pull.close();
