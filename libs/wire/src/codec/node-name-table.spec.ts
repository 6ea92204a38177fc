import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Encoder } from 'cbor-x';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import type { Frame } from '../frames.js';
import { BadFrameError, FrameTooLargeError, UnknownFrameTypeError } from '../errors/wire-errors.js';
import { FrameCodec } from './frame-codec.js';
import { MAX_TABLE_NAMES, namesProblem } from './node-name-table.js';
import { anyFrameArb, nodeNameArb, pidArb, termDifference } from './arbitraries.test-util.js';

const A = 'alpha@127.0.0.1';
const B = 'beta@127.0.0.1';

function pair(): { tx: FrameCodec; rx: FrameCodec } {
  return { tx: new FrameCodec({ nodeNameTables: true }), rx: new FrameCodec() };
}

function call(i: number): Frame {
  return {
    kind: 'send',
    to: new Pid(B, 7, 1),
    msg: { signal: 'call', from: new Pid(A, i, 2), ref: new Ref(A, 1000 + i, 2), request: { echo: i } },
  };
}

/** Raw CBOR of a NAMES frame as a (hostile) peer could write it. */
function rawNames(first: unknown, names: unknown): Uint8Array {
  return new Encoder({ useRecords: false }).encode([29, first, names]);
}

function isTyped(e: unknown): boolean {
  return e instanceof BadFrameError || e instanceof UnknownFrameTypeError || e instanceof FrameTooLargeError;
}

describe('node-name tables', () => {
  it('spells a name out once, defines it with a NAMES frame, then sends a reference', () => {
    const { tx, rx } = pair();
    const first = tx.encode(call(1));
    const second = tx.encode(call(2));
    expect(tx.namesTableSizes.outbound).toBe(2);
    expect(second.length).toBeLessThan(first.length - 2 * A.length);
    expect(rx.decodeBatch(first)).toEqual({ frames: [call(1)], errors: [] });
    expect(rx.namesTableSizes.inbound).toBe(2);
    const { frames, errors } = rx.decodeBatch(second);
    expect(errors).toEqual([]);
    expect(termDifference([call(2)], frames)).toBeUndefined();
    expect(rx.stats.framesDecoded).toBe(2);
  });

  it('packs any text equal to a table entry, map keys included, and gives it back as text', () => {
    const { tx, rx } = pair();
    const frames: Frame[] = [call(0), { kind: 'send', to: new Pid(B, 1, 1), msg: { [A]: [A, B, `${A}x`], nested: new Map([[B, A]]) } }];
    const batch = FrameCodec.concat(frames.map((f) => tx.encode(f)));
    const out = rx.decodeBatch(batch);
    expect(out.errors).toEqual([]);
    expect(termDifference(frames, out.frames)).toBeUndefined();
  });

  it('round-trips any sequence of frames, cut into batches anywhere', () => {
    fc.assert(
      fc.property(fc.array(anyFrameArb, { minLength: 1, maxLength: 12 }), fc.array(fc.boolean(), { maxLength: 12 }), (frames, cuts) => {
        const { tx, rx } = pair();
        const chunks = frames.map((f) => tx.encode(f));
        const decoded: Frame[] = [];
        let batch: Uint8Array[] = [];
        chunks.forEach((chunk, i) => {
          batch.push(chunk);
          if (cuts[i] === true || i === chunks.length - 1) {
            const { frames: got, errors } = rx.decodeBatch(FrameCodec.concat(batch));
            expect(errors).toEqual([]);
            decoded.push(...got);
            batch = [];
          }
        });
        expect(termDifference(frames, decoded)).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it('round-trips pids of many nodes past the 16 one-byte references (tag 6 entries)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(nodeNameArb, { minLength: 17, maxLength: 60 }), (nodes) => {
        const { tx, rx } = pair();
        const frames: Frame[] = nodes.map((node, i) => ({ kind: 'link', from: new Pid(node, i, 1), to: new Pid(nodes[0]!, 0, 1) }));
        const again = frames.map((f) => tx.encode(f)); // defines every name
        expect(rx.decodeBatch(FrameCodec.concat(again)).errors).toEqual([]);
        const packed = frames.map((f) => tx.encode(f)); // references only
        const out = rx.decodeBatch(FrameCodec.concat(packed));
        expect(out.errors).toEqual([]);
        expect(termDifference(frames, out.frames)).toBeUndefined();
        expect(rx.namesTableSizes.inbound).toBe(nodes.length);
      }),
      { numRuns: 25 },
    );
  });

  it('stops adding names at the table limit and sends the rest as text', () => {
    const { tx, rx } = pair();
    const frames: Frame[] = [];
    for (let i = 0; i < MAX_TABLE_NAMES + 5; i++) frames.push({ kind: 'link', from: new Pid(`n${i}@h`, 1, 1), to: new Pid(A, 1, 1) });
    const out = rx.decodeBatch(FrameCodec.concat(frames.map((f) => tx.encode(f))));
    expect(out.errors).toEqual([]);
    expect(out.frames).toHaveLength(frames.length);
    expect(tx.namesTableSizes.outbound).toBe(MAX_TABLE_NAMES);
    expect(rx.namesTableSizes.inbound).toBe(MAX_TABLE_NAMES);
  });

  it('adds nothing when a frame is refused', () => {
    const tx = new FrameCodec({ nodeNameTables: true, maxBatchBytes: 64 });
    expect(() => tx.encode({ kind: 'send', to: new Pid(A, 1, 1), msg: 'x'.repeat(100) })).toThrow(FrameTooLargeError);
    expect(() => tx.encode({ kind: 'send', to: new Pid(A, 1, 1), msg: { f: () => 1 } as never })).toThrow();
    expect(tx.namesTableSizes.outbound).toBe(0);
  });

  it('refuses references to entries the receiver does not have (a lost NAMES frame), with typed errors', () => {
    const { tx, rx } = pair();
    tx.encode(call(1)); // never delivered: defines alpha and beta
    const out = rx.decodeBatch(FrameCodec.concat([tx.encode(call(2)), tx.encode(call(3))]));
    expect(out.frames).toEqual([]);
    expect(out.errors).toHaveLength(2);
    for (const e of out.errors) {
      expect(e).toBeInstanceOf(BadFrameError);
      expect(e.message).toContain('packed reference to node-name entry');
    }
  });

  it('refuses NAMES frames that do not continue the table exactly', () => {
    const rx = new FrameCodec();
    const bad: Array<[Uint8Array, string]> = [
      [rawNames(1, [A]), 'first entry 1 where the table has 0'],
      [rawNames(0, []), 'non-empty'],
      [rawNames(0, 'x@y'), 'non-empty'],
      [rawNames(0, ['__proto__']), 'not a node name'],
      [rawNames(0, [A, A]), 'duplicate'],
      [new Encoder({ useRecords: false }).encode([29, 0, [A], 'extra']), 'expected [29, first, names]'],
    ];
    for (const [bytes, reason] of bad) {
      const out = rx.decodeBatch(bytes);
      expect(out.frames).toEqual([]);
      expect(out.errors[0]).toBeInstanceOf(BadFrameError);
      expect(out.errors[0]!.message).toContain(reason);
    }
    expect(rx.namesTableSizes.inbound).toBe(0);
    expect(rx.decodeBatch(rawNames(0, [A])).errors).toEqual([]);
    expect(rx.decodeBatch(rawNames(0, [B])).errors[0]!.message).toContain('first entry 0 where the table has 1');
    expect(rx.decodeBatch(rawNames(1, [A])).errors[0]!.message).toContain('already in the table');
    expect(rx.namesTableSizes.inbound).toBe(1);
  });

  it('lets the frames after a NAMES frame in the same batch use its entries, and no frame before it', () => {
    const rx = new FrameCodec();
    const send = (node: number): Uint8Array => Uint8Array.from([0x83, 0x10, 0xd9, 0xa5, 0xd0, 0x83, 0xe0 + node, 0x01, 0x01, 0x01]);
    const batch = FrameCodec.concat([send(0), rawNames(0, [A, B]), send(1), send(2)]);
    const out = rx.decodeBatch(batch);
    expect(out.frames).toEqual([{ kind: 'send', to: new Pid(B, 1, 1), msg: 1 }]);
    expect(out.errors.map((e) => e.message)).toEqual([
      'bad frame: forbidden CBOR: packed reference to node-name entry 0 of 0',
      'bad frame: forbidden CBOR: packed reference to node-name entry 2 of 2',
    ]);
  });

  it('checks tag 6 references and packed map keys in the scanner', () => {
    const rx = new FrameCodec();
    rx.decodeBatch(rawNames(0, Array.from({ length: 20 }, (_, i) => `n${i}@h`)));
    const send = (...msg: number[]): Uint8Array => Uint8Array.from([0x83, 0x10, 0xd9, 0xa5, 0xd0, 0x83, 0xe0, 0x01, 0x01, ...msg]);
    expect(rx.decodeBatch(send(0xc6, 0x01)).frames[0]).toMatchObject({ msg: 'n18@h' }); // 16 + 2
    expect(rx.decodeBatch(send(0xc6, 0x21)).frames[0]).toMatchObject({ msg: 'n19@h' }); // 16 + 2 + 1
    expect(rx.decodeBatch(send(0xc6, 0x02)).errors[0]!.message).toContain('entry 20 of 20');
    expect(rx.decodeBatch(send(0xc6, 0x61, 0x61)).errors[0]!.message).toContain('tag 6 wraps major type 3');
    expect(rx.decodeBatch(send(0xa1, 0xe3, 0x01)).frames[0]).toMatchObject({ msg: { 'n3@h': 1 } });
    expect(rx.decodeBatch(send(0xa1, 0xc6, 0x00, 0x01)).frames[0]).toMatchObject({ msg: { 'n16@h': 1 } });
    expect(rx.decodeBatch(send(0xa1, 0xf4, 0x01)).errors[0]!.message).toContain('map key of major type 7');
  });

  it('never throws on damaged streams: flipped bytes, lost or repeated chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(anyFrameArb, pidArb.map((to): Frame => ({ kind: 'send', to, msg: { from: to } }))), { minLength: 2, maxLength: 10 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('flip', 'drop', 'repeat', 'swap'),
        (frames, at, pos, byte, damage) => {
          const { tx, rx } = pair();
          const chunks = frames.map((f) => tx.encode(f));
          const i = at % chunks.length;
          if (damage === 'drop') chunks.splice(i, 1);
          else if (damage === 'repeat') chunks.splice(i, 0, chunks[i]!);
          else if (damage === 'swap' && i + 1 < chunks.length) [chunks[i], chunks[i + 1]] = [chunks[i + 1]!, chunks[i]!];
          else if (damage === 'flip') {
            const copy = Uint8Array.from(chunks[i]!);
            copy[pos % copy.length] = byte;
            chunks[i] = copy;
          }
          for (const chunk of chunks) {
            const out = rx.decodeBatch(chunk);
            for (const e of out.errors) expect(isTyped(e)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('describes what is wrong with a NAMES value', () => {
    expect(namesProblem([29, 0, [A]], 0)).toBeUndefined();
    expect(namesProblem([29, 0, Array.from({ length: MAX_TABLE_NAMES + 1 }, (_, i) => `n${i}@h`)], 0)).toContain('exceed');
    expect(namesProblem([29, 0, [1]], 0)).toContain('entry 0 is not a node name');
  });
});
