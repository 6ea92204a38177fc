import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import type { Frame, SendFrame } from '../frames.js';
import type { Term } from '../term.js';
import { FrameTooLargeError, NotSendableError } from '../errors/wire-errors.js';
import { FrameCodec } from './frame-codec.js';
import { FAST_SLAB_BYTES } from './fast-frame-encoder.js';
import { frameArbs, nodeNameArb, pidArb, refArb, termDifference } from './arbitraries.test-util.js';

/** Node names from a small set, so tables fill and later frames pack their names. */
const fewNodesArb = fc.constantFrom('a@127.0.0.1', 'b@127.0.0.1', 'c@h1.example', 'd@localhost');
const fewPidArb = fc.tuple(fc.oneof(fewNodesArb, nodeNameArb), fc.nat(), fc.nat({ max: 3 })).map(([n, i, c]) => new Pid(n, i, c));
const fewRefArb = fc.tuple(fc.oneof(fewNodesArb, nodeNameArb), fc.maxSafeNat(), fc.nat({ max: 3 })).map(([n, i, c]) => new Ref(n, i, c));

/** The terms the fast path handles, and numbers and strings of every form cbor-x distinguishes. */
const fastScalarArb: fc.Arbitrary<Term> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.integer({ min: -0x100000000, max: 0x100000000 }),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constant(-0),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', minLength: 20, maxLength: 120 }),
  fc.string({ minLength: 200, maxLength: 400 }),
  fewPidArb,
  fewRefArb,
  pidArb,
  refArb,
);

const keyArb = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 })).filter((k) => k !== '__proto__');

const fastTermArb: fc.Arbitrary<Term> = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fastScalarArb,
    fc.array(tie('term'), { maxLength: 5 }),
    fc.dictionary(keyArb, tie('term'), { maxKeys: 30, noNullPrototype: true }).map((o) => ({ ...o })),
  ),
})).term;

const callMsgArb = fc
  .tuple(fewPidArb, fewRefArb, fastTermArb)
  .map(([from, ref, request]) => ({ signal: 'call', from, ref, request }) as unknown as Term);

const hotFrameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.tuple(fewPidArb, fc.oneof(fastTermArb, callMsgArb)).map(([to, msg]): Frame => ({ kind: 'send', to, msg })),
  fc.tuple(fc.constantFrom('monitor' as const, 'demonitor' as const), fewPidArb, fewPidArb, fewRefArb).map(([kind, from, to, ref]): Frame => ({ kind, from, to, ref })),
  frameArbs.send,
  frameArbs.monitor,
  frameArbs.demonitor,
  frameArbs.link,
  frameArbs.monitor_down,
);

/** One connection direction: the sending codec and the peer's receiving codec. */
function pair(fastEncoder: boolean, nodeNameTables = true): { send: FrameCodec; receive: FrameCodec } {
  return { send: new FrameCodec({ fastEncoder, nodeNameTables }), receive: new FrameCodec() };
}

describe('FastFrameEncoder (through FrameCodec)', () => {
  for (const tables of [true, false]) {
    it(`decodes to the same frames as the generic encoder, node-name tables ${tables ? 'on' : 'off'}`, () => {
      let fastFrames = 0;
      fc.assert(
        fc.property(fc.array(fc.array(hotFrameArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), (batches) => {
          const fast = pair(true, tables);
          const generic = pair(false, tables);
          for (const batch of batches) {
            const a = fast.receive.decodeBatch(FrameCodec.concat(batch.map((f) => fast.send.encode(f))));
            const b = generic.receive.decodeBatch(FrameCodec.concat(batch.map((f) => generic.send.encode(f))));
            expect(a.errors).toEqual([]);
            expect(b.errors).toEqual([]);
            expect(a.frames).toHaveLength(batch.length);
            expect(b.frames).toHaveLength(batch.length);
            a.frames.forEach((f, i) => expect(termDifference(b.frames[i], f)).toBeUndefined());
          }
          expect(fast.send.namesTableSizes).toEqual(generic.send.namesTableSizes);
          expect(generic.send.stats.framesEncodedFast).toBe(0);
          fastFrames += fast.send.stats.framesEncodedFast;
        }),
        { numRuns: 300 },
      );
      expect(fastFrames).toBeGreaterThan(tables ? 30 : 300); // with tables, a frame naming a new node takes the generic path
    });
  }

  it('takes the fast path for a call once the names are known, and writes fewer bytes', () => {
    const me = new Pid('a@127.0.0.1', 5, 1);
    const echo = new Pid('b@127.0.0.1', 9, 1);
    const frames = (i: number): Frame[] => {
      const ref = new Ref('a@127.0.0.1', i, 1);
      return [
        { kind: 'monitor', from: me, to: echo, ref },
        { kind: 'send', to: echo, msg: { signal: 'call', from: me, ref, request: { echo: i } } as unknown as Term },
        { kind: 'demonitor', from: me, to: echo, ref },
      ];
    };
    const fast = pair(true);
    const generic = pair(false);
    // first use of each name: the generic path, with a NAMES frame
    expect(fast.receive.decodeBatch(FrameCodec.concat(frames(1).map((f) => fast.send.encode(f)))).errors).toEqual([]);
    for (const f of frames(1)) generic.send.encode(f);
    expect(fast.send.stats.framesEncodedFast).toBe(2); // the MONITOR brought both names
    const a = frames(2).map((f) => fast.send.encode(f));
    const b = frames(2).map((f) => generic.send.encode(f));
    expect(fast.send.stats.framesEncodedFast).toBe(5);
    const joined = FrameCodec.concat(a);
    expect(joined.buffer).toBe(a[0]!.buffer); // back to back in the slab: one view, no copy
    expect(joined.byteLength).toBeLessThanOrEqual(FrameCodec.concat(b).byteLength);
    const { frames: decoded, errors } = fast.receive.decodeBatch(joined);
    expect(errors).toEqual([]);
    decoded.forEach((f, i) => expect(termDifference(frames(2)[i], f)).toBeUndefined());
  });

  it('encodeChunk gives the bytes encode gives, as offsets into the slab for fast frames', () => {
    const me = new Pid('a@127.0.0.1', 5, 1);
    const echo = new Pid('b@127.0.0.1', 9, 1);
    const frames = (i: number): Frame[] => {
      const ref = new Ref('a@127.0.0.1', i, 1);
      return [
        { kind: 'monitor', from: me, to: echo, ref },
        { kind: 'send', to: echo, msg: { signal: 'call', from: me, ref, request: { echo: i, big: new Map([[1, 2]]) } } as unknown as Term },
        { kind: 'demonitor', from: me, to: echo, ref },
      ];
    };
    const viaChunks = pair(true);
    const viaEncode = pair(true);
    for (let i = 1; i < 4; i++) {
      const bytes = frames(i).map((f) => {
        const chunk = viaChunks.send.encodeChunk(f);
        const at = viaChunks.send.chunkStart;
        return at < 0 ? chunk : chunk.subarray(at, viaChunks.send.chunkEnd);
      });
      const expected = frames(i).map((f) => viaEncode.send.encode(f));
      expect(bytes.map((b) => Buffer.from(b).toString('hex'))).toEqual(expected.map((b) => Buffer.from(b).toString('hex')));
      const { frames: decoded, errors } = viaChunks.receive.decodeBatch(FrameCodec.concat(bytes.map((b) => Buffer.from(b))));
      expect(errors).toEqual([]);
      decoded.forEach((f, j) => expect(termDifference(frames(i)[j], f)).toBeUndefined());
    }
    // the SEND with a Map takes the generic path (chunkStart -1), the others the slab
    expect(viaChunks.send.stats).toEqual(viaEncode.send.stats);
    expect(viaChunks.send.stats.framesEncodedFast).toBeGreaterThan(0);
    expect(() => viaChunks.send.encodeChunk({ kind: 'send', to: echo, msg: { f: (() => 1) as unknown as Term } })).toThrow(NotSendableError);
  });

  it('keeps every frame intact across slabs', () => {
    const { send, receive } = pair(true);
    const to = new Pid('b@127.0.0.1', 1, 1);
    const big = 'x'.repeat(3000);
    const chunks: Uint8Array[] = [];
    const count = Math.ceil((4 * FAST_SLAB_BYTES) / 3000);
    for (let i = 0; i < count; i++) chunks.push(send.encode({ kind: 'send', to, msg: [i, big] }));
    const { frames, errors } = receive.decodeBatch(FrameCodec.concat(chunks));
    expect(errors).toEqual([]);
    expect(frames.map((f) => ((f as SendFrame).msg as unknown[])[0])).toEqual([...Array(count).keys()]);
  });

  it('leaves refusals to the generic path: not sendable, malformed pid, too large', () => {
    const codec = new FrameCodec({ maxBatchBytes: 1024 });
    const to = new Pid('b@127.0.0.1', 1, 1);
    expect(() => codec.encode({ kind: 'send', to, msg: { f: (() => 1) as unknown as Term } })).toThrow(NotSendableError);
    expect(() => codec.encode({ kind: 'send', to, msg: { ['__proto__']: 1 } as unknown as Term })).toThrow(NotSendableError);
    expect(() => codec.encode({ kind: 'send', to, msg: [new Pid('', 1, 1)] as unknown as Term })).toThrow(NotSendableError);
    expect(() => codec.encode({ kind: 'send', to, msg: 'y'.repeat(2000) })).toThrow(FrameTooLargeError);
    expect(codec.stats.framesRefused).toBe(4);
    // the codec goes on encoding after refusals
    const { frames } = new FrameCodec().decodeBatch(codec.encode({ kind: 'send', to, msg: 'ok' }));
    expect((frames[0] as SendFrame).msg).toBe('ok');
  });
});

/** Two receiving codecs fed the same batches: the hand-written decoder on, and off (cbor-x only). */
function receivers(): { fast: FrameCodec; generic: FrameCodec } {
  return { fast: new FrameCodec(), generic: new FrameCodec({ fastDecoder: false }) };
}

function expectSameDecoding(fast: FrameCodec, generic: FrameCodec, bytes: Uint8Array): void {
  const a = fast.decodeBatch(bytes);
  const b = generic.decodeBatch(bytes);
  expect(a.frames).toHaveLength(b.frames.length);
  a.frames.forEach((f, i) => {
    expect(termDifference(b.frames[i], f)).toBeUndefined();
    expect(f.kind).toBe(b.frames[i]!.kind);
  });
  expect(a.errors.map((e) => [e.constructor.name, e.message])).toEqual(b.errors.map((e) => [e.constructor.name, e.message]));
}

describe('FastFrameDecoder (through FrameCodec)', () => {
  it('decodes every batch to the frames cbor-x decodes, with the same counters', () => {
    let fastDecoded = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.array(hotFrameArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), (fastEncoder, batches) => {
        const send = new FrameCodec({ fastEncoder, nodeNameTables: true });
        const { fast, generic } = receivers();
        for (const batch of batches) expectSameDecoding(fast, generic, FrameCodec.concat(batch.map((f) => send.encode(f))));
        expect(fast.stats).toEqual(generic.stats);
        expect(fast.namesTableSizes).toEqual(generic.namesTableSizes);
        fastDecoded += fast.stats.framesDecoded;
      }),
      { numRuns: 300 },
    );
    expect(fastDecoded).toBeGreaterThan(300);
  });

  it('decodes mutated batches as cbor-x does: the same frames, the same errors', () => {
    fc.assert(
      fc.property(
        fc.array(hotFrameArb, { minLength: 1, maxLength: 6 }),
        fc.array(hotFrameArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
        (first, second, mutations) => {
          const send = new FrameCodec({ nodeNameTables: true });
          const { fast, generic } = receivers();
          // a first batch fills the names tables, so the second packs its node names
          expectSameDecoding(fast, generic, FrameCodec.concat(first.map((f) => send.encode(f))));
          const bytes = Buffer.from(FrameCodec.concat(second.map((f) => send.encode(f))));
          for (const [at, value] of mutations) bytes[at % bytes.length] = value;
          expectSameDecoding(fast, generic, bytes);
          expect(fast.stats).toEqual(generic.stats);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('reads a call and its reply, and leaves other frames and forms to cbor-x', () => {
    const send = new FrameCodec({ nodeNameTables: true });
    const { fast, generic } = receivers();
    const me = new Pid('a@127.0.0.1', 5, 1);
    const echo = new Pid('b@127.0.0.1', 9, 1);
    const ref = new Ref('a@127.0.0.1', 77, 1);
    const frames: Frame[] = [
      { kind: 'monitor', from: me, to: echo, ref },
      { kind: 'send', to: echo, msg: { signal: 'call', from: me, ref, request: { echo: 1, f: 1.5, n: -70000, s: 'héllo', l: [true, false, null] } } as unknown as Term },
      { kind: 'send', to: me, msg: { signal: 'reply', ref, value: { echo: 1 } } as unknown as Term },
      { kind: 'send', to: me, msg: { at: new Date(5), m: new Map([[1, 2]]), big: 2n ** 70n, b: new Uint8Array([1]) } as unknown as Term },
    ];
    for (let i = 0; i < 3; i++) expectSameDecoding(fast, generic, FrameCodec.concat(frames.map((f) => send.encode(f))));
    // a plain Uint8Array (not a Buffer) too
    expectSameDecoding(fast, generic, new Uint8Array(FrameCodec.concat(frames.map((f) => send.encode(f)))));
    expect(fast.stats).toEqual(generic.stats);
    const reply = fast.decodeBatch(send.encode(frames[2]!)).frames[0] as SendFrame;
    expect(reply.to).toBeInstanceOf(Pid);
    expect((reply.msg as { ref: unknown }).ref).toBeInstanceOf(Ref);
  });
});
