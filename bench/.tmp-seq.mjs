import { Encoder, decodeMultiple } from 'cbor-x';
import { Pid } from '@sdnode/wire';
const to = new Pid('b@127.0.0.1', 42, 1);
const msgs = [{ n: 1 }, { op: 'put', key: 'user:1234', value: [1, 2, 3], ttl: 3600, ok: true }];
function run(label, mkEnc, mkDec) {
  for (const msg of msgs) {
    const enc = mkEnc(); const dec = mkDec();
    const chunks = new Array(64);
    const once = () => { for (let i = 0; i < 64; i++) chunks[i] = enc.encode([16, to, msg]); let n = 0; dec.decodeMultiple(Buffer.concat(chunks), () => void n++); return n; };
    for (let i = 0; i < 2000; i++) once();
    const s = process.hrtime.bigint(); let c = 0;
    while (Number(process.hrtime.bigint() - s) < 1e9) c += once();
    console.log(label, JSON.stringify(msg).slice(0, 20), (c / (Number(process.hrtime.bigint() - s) / 1e9) / 1e6).toFixed(3), 'M/s', enc.encode([16, to, msg]).length, 'bytes');
  }
}
run('plain     ', () => new Encoder({ useRecords: false }), () => new Encoder({ useRecords: false }));
run('sequential', () => new Encoder({ sequential: true }), () => new Encoder({ sequential: true }));
