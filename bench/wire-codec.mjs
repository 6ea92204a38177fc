// Encode+decode throughput of small SEND frames through FrameCodec, against raw cbor-x on the
// same message (the ceiling). Run after `npx tsc -b tsconfig.build.json`:
//   node bench/wire-codec.mjs [seconds-per-case=1]
// Prints msgs/s for each case and sdnode/raw ratios. Frames are encoded one by one and decoded in
// batches of BATCH frames, as the transport does (cork per event-loop turn, one ZeroMQ message).
import { Encoder, decodeMultiple } from 'cbor-x';
import { FrameCodec, Pid } from '@sdnode/wire';

const seconds = Number(process.argv[2] ?? 1);
const BATCH = 64;
const to = new Pid('b@127.0.0.1', 42, 1);
const messages = {
  'small {n: 1}': { n: 1 },
  'medium (5 fields, string, array)': { op: 'put', key: 'user:1234', value: [1, 2, 3], ttl: 3600, ok: true },
};

function measure(label, fn) {
  // warm up, then run for `seconds`
  for (let i = 0; i < 2000; i++) fn();
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) count += fn();
    now = process.hrtime.bigint();
  }
  const rate = count / (Number(now - start) / 1e9);
  console.log(`${label.padEnd(52)} ${(rate / 1e6).toFixed(3)} M msgs/s`);
  return rate;
}

for (const [name, msg] of Object.entries(messages)) {
  console.log(`\n# message ${name}`);
  const raw = new Encoder({ useRecords: false, mapsAsObjects: true });
  const codec = new FrameCodec();
  const rawChunks = new Array(BATCH);
  const codecChunks = new Array(BATCH);
  const frame = { kind: 'send', to, msg };

  const rawRate = measure('raw cbor-x encode+decode [16, to, msg]', () => {
    for (let i = 0; i < BATCH; i++) rawChunks[i] = raw.encode([16, to, msg]);
    let n = 0;
    decodeMultiple(Buffer.concat(rawChunks), () => void n++);
    return n;
  });
  // for the records decision (docs/protocols/wire-format.md, "Why no records"): raw cbor-x with
  // sequential structures agreed in-band, one encoder and one decoder per stream
  const seqEncoder = new Encoder({ sequential: true });
  const seqDecoder = new Encoder({ sequential: true });
  measure('raw cbor-x sequential records encode+decode', () => {
    for (let i = 0; i < BATCH; i++) rawChunks[i] = seqEncoder.encode([16, to, msg]);
    let n = 0;
    seqDecoder.decodeMultiple(Buffer.concat(rawChunks), () => void n++);
    return n;
  });
  const codecRate = measure('FrameCodec encode+decodeBatch SEND', () => {
    for (let i = 0; i < BATCH; i++) codecChunks[i] = codec.encode(frame);
    return codec.decodeBatch(FrameCodec.concat(codecChunks)).frames.length;
  });
  const encodeRaw = measure('raw cbor-x encode only', () => {
    for (let i = 0; i < BATCH; i++) rawChunks[i] = raw.encode([16, to, msg]);
    return BATCH;
  });
  const encodeCodec = measure('FrameCodec encode only', () => {
    for (let i = 0; i < BATCH; i++) codecChunks[i] = codec.encode(frame);
    return BATCH;
  });
  const rawBatch = Buffer.concat(rawChunks);
  const codecBatch = FrameCodec.concat(codecChunks);
  const decodeRaw = measure('raw cbor-x decodeMultiple only', () => {
    let n = 0;
    decodeMultiple(rawBatch, () => void n++);
    return n;
  });
  const decodeCodec = measure('FrameCodec decodeBatch only', () => codec.decodeBatch(codecBatch).frames.length);
  console.log(`ratio encode+decode sdnode/raw: ${(codecRate / rawRate).toFixed(2)}`);
  console.log(`ratio encode only: ${(encodeCodec / encodeRaw).toFixed(2)}, decode only: ${(decodeCodec / decodeRaw).toFixed(2)}`);
}
