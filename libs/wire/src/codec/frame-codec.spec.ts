import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import type { Frame, SendFrame } from '../frames.js';
import { Op } from '../frames.js';
import { BadFrameError, FrameTooLargeError, NotSendableError, UnknownFrameTypeError } from '../errors/wire-errors.js';
import { InvalidArgumentError, NoProcError } from '../errors/process-errors.js';
import { FrameCodec } from './frame-codec.js';
import { anyFrameArb, frameArbs, termDifference } from './arbitraries.test-util.js';

const to = new Pid('b@127.0.0.1', 7, 1);
const send = (msg: unknown): SendFrame => ({ kind: 'send', to, msg: msg as SendFrame['msg'] });

/** Frames compare like terms; spawn options without undefined entries. */
function expectSameFrame(sent: Frame, received: Frame | undefined): void {
  expect(received).toBeDefined();
  expect(termDifference(sent, received)).toBeUndefined();
}

describe('FrameCodec round trips', () => {
  for (const [kind, arb] of Object.entries(frameArbs)) {
    it(`decodes every encoded ${kind} frame to an equal frame`, () => {
      const codec = new FrameCodec();
      fc.assert(
        fc.property(arb as fc.Arbitrary<Frame>, (frame) => {
          const { frames, errors } = codec.decodeBatch(codec.encode(frame));
          expect(errors).toEqual([]);
          expect(frames).toHaveLength(1);
          expectSameFrame(frame, frames[0]);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('decodes a batch of mixed frames in order', () => {
    const codec = new FrameCodec();
    fc.assert(
      fc.property(fc.array(anyFrameArb, { minLength: 1, maxLength: 20 }), (batch) => {
        const bytes = FrameCodec.concat(batch.map((f) => codec.encode(f)));
        const { frames, errors } = codec.decodeBatch(bytes);
        expect(errors).toEqual([]);
        expect(frames).toHaveLength(batch.length);
        batch.forEach((f, i) => expectSameFrame(f, frames[i]));
      }),
      { numRuns: 200 },
    );
  });

  it('writes each frame as the CBOR array [op, ...fields]', () => {
    const codec = new FrameCodec();
    const bytes = codec.encode({ kind: 'link', from: to, to });
    expect(bytes[0]).toBe(0x83); // array of 3
    expect(bytes[1]).toBe(Op.LINK);
    expect([...codec.encode({ kind: 'tick' })]).toEqual([0x81, Op.TICK]);
  });

  it('keeps an encoded frame intact while many later frames are encoded', () => {
    const codec = new FrameCodec();
    const first = codec.encode(send({ text: 'first', n: 1 }));
    const snapshot = Buffer.from(first);
    for (let i = 0; i < 20_000; i++) codec.encode(send({ filler: 'x'.repeat(i % 500), i }));
    codec.encode(send({ big: new Uint8Array(3 * 1024 * 1024) }));
    expect(Buffer.compare(first, snapshot)).toBe(0);
    expectSameFrame(send({ text: 'first', n: 1 }), codec.decodeBatch(first).frames[0]);
  });

  it('decodes binaries as copies that do not alias the received batch', () => {
    const codec = new FrameCodec();
    const batch = Buffer.from(codec.encode(send([Buffer.from([1, 2, 3]), Uint8Array.from([4, 5])])));
    const [buffer, array] = (codec.decodeBatch(batch).frames[0] as SendFrame).msg as [Buffer, Uint8Array];
    batch.fill(0);
    expect(buffer).toBeInstanceOf(Buffer);
    expect(array.constructor).toBe(Uint8Array);
    expect([...buffer, ...array]).toEqual([1, 2, 3, 4, 5]);
  });

  it('counts encoded, refused, decoded and rejected frames', () => {
    const codec = new FrameCodec();
    const good = codec.encode(send(1));
    expect(() => codec.encode(send(() => 1))).toThrow(NotSendableError);
    codec.decodeBatch(FrameCodec.concat([good, Uint8Array.from([0x81, 0x18, 0x63]), good])); // [99]: unknown op
    expect(codec.stats).toMatchObject({ framesEncoded: 1, framesRefused: 1, framesDecoded: 2, framesRejected: 1 });
  });
});

describe('FrameCodec.encode refusals', () => {
  const codec = new FrameCodec();

  it('refuses an unsendable message with NotSendableError naming the path', () => {
    const error = (() => {
      try {
        codec.encode(send({ items: [0, 1, 2, { fn: () => 1 }] }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NotSendableError);
    expect((error as NotSendableError).path).toBe('msg.items[3].fn');
  });

  it('refuses a frame whose fields break the schema with InvalidArgumentError', () => {
    expect(() => codec.encode({ kind: 'send', to: 'not a pid' as unknown as Pid, msg: 1 })).toThrow(InvalidArgumentError);
    expect(() => codec.encode({ kind: 'link', from: to, to: new Ref('a@h', 1, 1) as unknown as Pid })).toThrow(InvalidArgumentError);
    expect(() => codec.encode({ kind: 'challenge_ack', session: new Uint8Array(2) })).toThrow(/session must be/);
    expect(() => codec.encode({ kind: 'exit', from: to, to, reason: { kind: 'bogus' } as never })).toThrow(/not an exit reason/);
  });

  it('refuses an unknown frame kind with UnknownFrameTypeError', () => {
    expect(() => codec.encode({ kind: 'teleport' } as unknown as Frame)).toThrow(UnknownFrameTypeError);
  });

  it('refuses a frame larger than maxBatchBytes with FrameTooLargeError', () => {
    const small = new FrameCodec({ maxBatchBytes: 1024 });
    expect(() => small.encode(send(new Uint8Array(2000)))).toThrow(FrameTooLargeError);
  });

  it('sends a plain WireError as a spawn result and delivers it as the typed error', () => {
    const ref = new Ref('a@h', 1, 1);
    const bytes = codec.encode({ kind: 'spawn_reply', ref, to, result: { code: 'ENOPROC', message: 'no such process: x', details: { target: 'x' } } });
    const frame = codec.decodeBatch(bytes).frames[0];
    expect(frame?.kind).toBe('spawn_reply');
    expect(frame?.kind === 'spawn_reply' && frame.result).toBeInstanceOf(NoProcError);
  });

  it('refuses a message nested deeper than the decoder accepts, and accepts the deepest one it does', () => {
    const nest = (depth: number): unknown => {
      let v: unknown = 0;
      for (let i = 0; i < depth; i++) v = [v];
      return v;
    };
    const deep = new FrameCodec({ maxDepth: 16 });
    // the frame array is level 1, so the message may open 15 levels
    const ok = deep.decodeBatch(deep.encode(send(nest(15))));
    expect(ok.errors).toEqual([]);
    expect(() => deep.encode(send(nest(16)))).toThrow(NotSendableError);
  });
});

describe('FrameCodec.decodeBatch', () => {
  const codec = new FrameCodec();
  const a = codec.encode(send('a'));
  const b = codec.encode(send('b'));

  it('refuses a batch larger than maxBatchBytes whole, with FrameTooLargeError', () => {
    const small = new FrameCodec({ maxBatchBytes: 64 });
    const { frames, errors } = small.decodeBatch(new Uint8Array(65));
    expect(frames).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrameTooLargeError);
  });

  it('keeps the frames before corrupt CBOR and reports the rest as lost', () => {
    const corrupt = FrameCodec.concat([a, b, Uint8Array.from([0x83, 0x10, 0x1c]), a]);
    const { frames, errors } = codec.decodeBatch(corrupt);
    expect(frames.map((f) => (f as SendFrame).msg)).toEqual(['a', 'b']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BadFrameError);
    expect(errors[0]!.details).toMatchObject({ index: 2, offset: a.length + b.length });
  });

  it('drops a frame with a forbidden tag and goes on with the next frame', () => {
    // [16, tag 27 ["Error", "x"]] : cbor-x's generic-object tag is not part of the sdnode encoding
    const forbidden = Uint8Array.from([0x82, 0x10, 0xd8, 0x1b, 0x82, 0x65, ...Buffer.from('Error'), 0x61, 0x78]);
    const { frames, errors } = codec.decodeBatch(FrameCodec.concat([a, forbidden, b]));
    expect(frames.map((f) => (f as SendFrame).msg)).toEqual(['a', 'b']);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('tag 27 is not allowed');
  });

  it('drops a frame whose pid tag is malformed and goes on with the next frame', () => {
    // [16, pid-tag [1, 2, 3], 0]
    const badPid = Uint8Array.from([0x83, 0x10, 0xd9, 0xa5, 0xd0, 0x83, 0x01, 0x02, 0x03, 0x00]);
    const { frames, errors } = codec.decodeBatch(FrameCodec.concat([a, badPid, b, badPid]));
    expect(frames.map((f) => (f as SendFrame).msg)).toEqual(['a', 'b']);
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e instanceof BadFrameError && e.message.includes('bad node name'))).toBe(true);
    expect(errors.map((e) => e.details['index'])).toEqual([1, 3]);
  });

  it('reports an unknown op with UnknownFrameTypeError and keeps the other frames', () => {
    const unknown = Uint8Array.from([0x82, 0x18, 0x63, 0x00]); // [99, 0]
    const { frames, errors } = codec.decodeBatch(FrameCodec.concat([a, unknown, b]));
    expect(frames).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UnknownFrameTypeError);
  });

  it('rejects frames that are not arrays, have a wrong field count, or a non-numeric op', () => {
    const cases = [
      Uint8Array.from([0x01]), // 1
      Uint8Array.from([0x80]), // []
      Uint8Array.from([0x81, 0x10]), // [16]
      Uint8Array.from([0x84, 0x06, 0x00, 0x00, 0x00]), // tick with 3 fields
      Uint8Array.from([0x81, 0x61, 0x78]), // ["x"]
      Uint8Array.from([0x81, 0xf6]), // [null]
    ];
    for (const bytes of cases) {
      const { frames, errors } = codec.decodeBatch(bytes);
      expect(frames).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.constructor === BadFrameError || errors[0]!.constructor === UnknownFrameTypeError).toBe(true);
    }
  });

  it('accepts HELLO frames with extra trailing fields from a later protocol version', () => {
    const hello: Frame = {
      kind: 'hello',
      version: 2,
      name: 'a@127.0.0.1',
      creation: 3,
      flags: { hidden: false },
      address: 'tcp://127.0.0.1:1234',
      challenge: new Uint8Array(16),
      session: new Uint8Array(16),
    };
    const bytes = codec.encode(hello);
    // rewrite the array header from 8 to 9 elements and append a field
    const extended = Buffer.concat([Uint8Array.from([0x89]), bytes.subarray(1), Uint8Array.from([0x61, 0x7a])]);
    const { frames, errors } = codec.decodeBatch(extended);
    expect(errors).toEqual([]);
    expectSameFrame(hello, frames[0]);
  });

  it('stops after maxErrorsPerBatch rejected frames and reports the rest of the batch as dropped', () => {
    const capped = new FrameCodec({ maxErrorsPerBatch: 4 });
    const forbidden = Uint8Array.from([0xf0]); // simple value 16
    const unknownOp = Uint8Array.from([0x81, 0x18, 0x63]); // [99]
    for (const bad of [forbidden, unknownOp]) {
      const batch = FrameCodec.concat([a, ...new Array<Uint8Array>(1000).fill(bad), b]);
      const { frames, errors } = capped.decodeBatch(batch);
      expect(frames.map((f) => (f as SendFrame).msg)).toEqual(['a']);
      expect(errors).toHaveLength(5);
      expect(errors[4]!.message).toContain('too many rejected frames');
      expect(errors[4]!.details).toMatchObject({ index: 5, offset: a.length + 4 * bad.length, bytesLost: batch.length - a.length - 4 * bad.length });
    }
    // the cap also holds when a rejected frame of a run is followed by a forbidden one
    for (const bad of [[unknownOp, forbidden], [forbidden, unknownOp]]) {
      const batch = FrameCodec.concat([...new Array<Uint8Array>(4).fill(bad[0]!), ...new Array<Uint8Array>(10).fill(bad[1]!)]);
      expect(capped.decodeBatch(batch).errors).toHaveLength(5);
    }
  });

  it('decodes every tick as one shared frozen object', () => {
    const ticks = codec.decodeBatch(FrameCodec.concat([codec.encode({ kind: 'tick' }), codec.encode({ kind: 'tick' })])).frames;
    expect(ticks).toEqual([{ kind: 'tick' }, { kind: 'tick' }]);
    expect(ticks[0]).toBe(ticks[1]);
    expect(Object.isFrozen(ticks[0])).toBe(true);
  });

  it('decodeShared gives the frames and errors decodeBatch gives, in arrays reused until released', () => {
    const shared = new FrameCodec();
    const plain = new FrameCodec();
    const batches = [
      [send(1), send({ a: [1, 2] })],
      [send('x')],
      [send(2), send(3), send(4), send(5)],
    ].map((b) => FrameCodec.concat(b.map((f) => codec.encode(f))));
    let firstFrames: readonly Frame[] | undefined;
    for (const bytes of batches) {
      const batch = shared.decodeShared(bytes)!;
      const expected = plain.decodeBatch(bytes);
      expect(batch.count).toBe(expected.frames.length);
      expect(batch.frames.slice(0, batch.count)).toEqual(expected.frames);
      expect(batch.errors).toEqual([]);
      expect(shared.decodeShared(bytes)).toBeUndefined(); // not released yet
      firstFrames ??= batch.frames;
      expect(batch.frames).toBe(firstFrames); // the same array, batch after batch
      shared.releaseShared();
      expect(batch.frames.every((f) => f === undefined)).toBe(true); // frames let go
    }
    const bad = FrameCodec.concat([codec.encode(send(1)), new Uint8Array([0x83, 0x18, 0xee, 0x00, 0x00])]);
    const batch = shared.decodeShared(bad)!;
    const expected = plain.decodeBatch(bad);
    expect(batch.count).toBe(expected.frames.length);
    expect(batch.errors.map((e) => e.constructor)).toEqual(expected.errors.map((e) => e.constructor));
    expect(batch.errors.length).toBeGreaterThan(0);
    shared.releaseShared();
    expect(shared.stats).toEqual(plain.stats);
  });

  it('returns an empty result for an empty batch and a typed error for a non-binary batch', () => {
    expect(codec.decodeBatch(new Uint8Array(0))).toEqual({ frames: [], errors: [] });
    const { errors } = codec.decodeBatch('nope' as unknown as Uint8Array);
    expect(errors[0]).toBeInstanceOf(BadFrameError);
  });
});
