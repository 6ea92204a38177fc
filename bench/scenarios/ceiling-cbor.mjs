// Ceiling: raw cbor-x encode + decode of a small message on one core, no transport, no sdnode.
// Two figures: cbor-x with default options (a fresh, self-describing encoding of every message)
// and with structures agreed in sequence (`sequential: true`, one encoder/decoder pair, decoded
// strictly in order) — the two encodings DESIGN.md section 3 discusses.
import { Encoder, Decoder } from 'cbor-x';
import { emit, main, nowNs, scenarioArgs, smallFrame } from '../lib/result.mjs';

/** Encode and decode n messages; returns messages per second. Checks the round trip. */
function measure(encoder, decoder, n) {
  let check = 0;
  const t0 = nowNs();
  for (let i = 0; i < n; i++) {
    const bytes = encoder.encode(smallFrame(i));
    const back = decoder.decode(bytes);
    check += back.msg.seq;
  }
  const seconds = (nowNs() - t0) / 1e9;
  const expected = (n * (n - 1)) / 2;
  if (check !== expected) throw new Error(`cbor round trip lost data (${check} != ${expected})`);
  return n / seconds;
}

main(async () => {
  const { n } = scenarioArgs(1_000_000);
  const warm = Math.min(n, 50_000);

  measure(new Encoder(), new Decoder(), warm);
  emit('ceiling.cbor', measure(new Encoder(), new Decoder(), n), 'msgs/s', { n });

  // The decoder must be given its own (initially empty) structure table, or it returns the raw
  // record tags instead of objects: the silent wrong-data case DESIGN.md section 3 warns about.
  const seqPair = () => [new Encoder({ sequential: true }), new Decoder({ sequential: true, structures: [] })];
  measure(...seqPair(), warm);
  const [seqEncoder, seqDecoder] = seqPair();
  emit('ceiling.cbor.seq', measure(seqEncoder, seqDecoder, n), 'msgs/s', { n });
});
