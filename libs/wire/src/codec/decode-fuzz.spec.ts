import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Frame } from '../frames.js';
import { SdnodeError } from '../errors/sdnode-error.js';
import { BadFrameError, FrameTooLargeError, UnknownFrameTypeError } from '../errors/wire-errors.js';
import { FrameCodec, type DecodedBatch } from './frame-codec.js';
import { checkFrame } from './frame-registry.js';
import { anyFrameArb, termDifference } from './arbitraries.test-util.js';

/**
 * Fuzzing decodeBatch: random bytes and mutated valid batches. Whatever the input, decodeBatch
 * returns (never throws), every error is one of the typed decode errors, and every frame it
 * returns is valid and can be sent again as is. Hangs are caught by the test timeout.
 */

const codec = new FrameCodec({ maxBatchBytes: 1 << 20 });

function decodeChecked(bytes: Uint8Array): DecodedBatch {
  let result: DecodedBatch | undefined;
  expect(() => {
    result = codec.decodeBatch(bytes);
  }).not.toThrow();
  const { frames, errors } = result!;
  expect(errors.length).toBeLessThanOrEqual(codec.limits.maxErrorsPerBatch + 1);
  for (const error of errors) {
    expect(error instanceof BadFrameError || error instanceof UnknownFrameTypeError || error instanceof FrameTooLargeError).toBe(true);
    expect(error).toBeInstanceOf(SdnodeError);
  }
  for (const frame of frames) {
    expect(checkFrame(frame)).toBeUndefined();
    // what a node accepts it can also send: decoded frames always re-encode
    expect(() => codec.encode(frame)).not.toThrow();
  }
  return result!;
}

/** Headers that claim far more content than any batch holds, and other hostile bytes. */
const HOSTILE: readonly number[][] = [
  [0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // array of 2^64-1
  [0x9a, 0xff, 0xff, 0xff, 0xff], // array of 2^32-1
  [0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // map of 2^63-1
  [0x5b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], // bytes of 2^32
  [0x7a, 0xff, 0xff, 0xff, 0xff], // text of 2^32-1
  [0x9f], // indefinite array
  [0xff], // break
  [0x1c], // reserved additional info
  [0xf8, 0x20], // simple value 32
  [0xd8, 0x1c], // tag 28 (shared value)
  [0xd9, 0xdf, 0xff], // cbor-x record definition tag
  [0xc2, 0x5a, 0x00, 0x01, 0x00, 0x00], // bignum of 65536 bytes (truncated)
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.constantFrom(...HOSTILE), fc.array(fc.nat({ max: 255 }), { maxLength: 12 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

function mutate(input: Uint8Array, m: Mutation): Uint8Array {
  const bytes = Buffer.from(input);
  if (bytes.length === 0) return m.kind === 'insert' ? Uint8Array.from(m.bytes) : bytes;
  const at = m.at % (bytes.length + 1);
  switch (m.kind) {
    case 'flip': {
      const i = m.at % bytes.length;
      bytes[i] = bytes[i]! ^ (1 << m.bit);
      return bytes;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), Uint8Array.from(m.bytes), bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    case 'duplicate':
      return Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at, at + m.length), bytes.subarray(at + m.length)]);
  }
}

const batchArb = fc.array(anyFrameArb, { minLength: 1, maxLength: 8 });

describe('decodeBatch fuzzing', () => {
  it('never throws on random bytes and reports only typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodeChecked(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on mutated valid batches (bit flips, truncation, splices, hostile headers)', () => {
    fc.assert(
      fc.property(batchArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (frames, mutations) => {
        let bytes: Uint8Array = FrameCodec.concat(frames.map((f) => codec.encode(f)));
        for (const m of mutations) bytes = mutate(bytes, m);
        decodeChecked(bytes);
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps exactly the frames before a truncation point and reports at most one error', () => {
    fc.assert(
      fc.property(batchArb, fc.nat(), (frames: Frame[], cut) => {
        const encoded = frames.map((f) => codec.encode(f));
        const bytes = FrameCodec.concat(encoded);
        const at = cut % (bytes.length + 1);
        let complete = 0;
        for (let end = 0, i = 0; i < encoded.length; i++) {
          end += encoded[i]!.length;
          if (end <= at) complete = i + 1;
        }
        const { frames: decoded, errors } = decodeChecked(bytes.subarray(0, at));
        expect(decoded).toHaveLength(complete);
        decoded.forEach((f, i) => expect(termDifference(frames[i], f)).toBeUndefined());
        const onBoundary = encoded.slice(0, complete).reduce((n, e) => n + e.length, 0) === at;
        expect(errors).toHaveLength(onBoundary ? 0 : 1);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every hostile header at the start of a batch without allocating for it', () => {
    for (const header of HOSTILE) {
      const { frames, errors } = decodeChecked(Uint8Array.from([0x82, 0x10, ...header]));
      expect(frames).toEqual([]);
      expect(errors).toHaveLength(1);
    }
  });

  it('refuses a nesting bomb quickly as corrupt CBOR', () => {
    const bomb = new Uint8Array(200_000).fill(0x81);
    const { frames, errors } = decodeChecked(bomb);
    expect(frames).toEqual([]);
    expect(errors[0]?.message).toContain('nesting deeper than');
  });

  it('survives random tags wrapped around message values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), fc.uint8Array({ minLength: 1, maxLength: 24 }), (tag, content) => {
        const header = tag < 24 ? [0xc0 | tag] : tag < 256 ? [0xd8, tag] : tag < 65536 ? [0xd9, tag >> 8, tag & 0xff] : [0xda, 0, tag >> 16, (tag >> 8) & 0xff, tag & 0xff];
        // [16, <pid a@h.1.1>, tag(content)]
        const to = [0xd9, 0xa5, 0xd0, 0x83, 0x63, 0x61, 0x40, 0x68, 0x01, 0x01];
        decodeChecked(Uint8Array.from([0x83, 0x10, ...to, ...header, ...content]));
      }),
      { numRuns: 2000 },
    );
  });
});
