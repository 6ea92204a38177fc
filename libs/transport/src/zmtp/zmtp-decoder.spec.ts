import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FLAG_COMMAND,
  FLAG_LONG,
  FLAG_MORE,
  encodeCommand,
  encodeErrorCommand,
  encodeGreeting,
  encodeMessage,
  encodeMetadata,
  encodeReady,
  type ZmtpSocketType,
} from './zmtp-codec.js';
import { ZmtpDecoder, type ZmtpPeer, type ZmtpPhase } from './zmtp-decoder.js';
import { ZmtpProtocolError, type ZmtpErrorReason } from './zmtp-errors.js';

type Event =
  | { readonly t: 'greeting'; readonly minor: number }
  | { readonly t: 'ready'; readonly socketType: string; readonly identity: string }
  | { readonly t: 'message'; readonly parts: string[] }
  | { readonly t: 'command'; readonly name: string; readonly data: string };

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function decoderFor(socketType: ZmtpSocketType = 'ROUTER', maxMessageBytes = 1 << 20, maxParts?: number) {
  const events: Event[] = [];
  const decoder = new ZmtpDecoder(
    { socketType, maxMessageBytes, ...(maxParts === undefined ? {} : { maxParts }) },
    {
      greeting: (minor) => events.push({ t: 'greeting', minor }),
      ready: (peer) => events.push({ t: 'ready', socketType: peer.socketType, identity: hex(peer.identity) }),
      message: (parts) => events.push({ t: 'message', parts: parts.map(hex) }),
      command: (command) => events.push({ t: 'command', name: command.name, data: hex(command.data) }),
    },
  );
  return { decoder, events };
}

/** Push `stream` cut at `cuts`; returns the errors returned (checks that push never throws). */
function feed(decoder: ZmtpDecoder, stream: Buffer, cuts: readonly number[] = []): ZmtpProtocolError[] {
  const points = [...new Set(cuts.map((c) => c % (stream.byteLength + 1)))].sort((a, b) => a - b);
  const errors: ZmtpProtocolError[] = [];
  let from = 0;
  for (const to of [...points, stream.byteLength]) {
    if (to < from) continue;
    // A copy per chunk, as the socket gives fresh buffers: views must not depend on a shared one.
    const error = decoder.push(Buffer.from(stream.subarray(from, to)));
    if (error !== undefined) errors.push(error);
    from = to;
  }
  return errors;
}

/** A frame with a long size field whatever its size (senders should not, receivers must cope). */
function longFrame(flags: number, body: Uint8Array): Buffer {
  const out = Buffer.alloc(9 + body.byteLength);
  out[0] = flags | FLAG_LONG;
  out.writeUInt32BE(Math.floor(body.byteLength / 2 ** 32), 1);
  out.writeUInt32BE(body.byteLength >>> 0, 5);
  out.set(body, 9);
  return out;
}

const handshake = (minor = 1, socketType: ZmtpSocketType = 'DEALER', identity = Buffer.from('peer-1')): Buffer =>
  Buffer.concat([encodeGreeting(minor), encodeReady(socketType, identity)]);

const expectedHandshake = (minor = 1, identity = Buffer.from('peer-1')): Event[] => [
  { t: 'greeting', minor },
  { t: 'ready', socketType: 'DEALER', identity: identity.toString('hex') },
];

/** Bytes of a given size with a pattern (cheap to make at 100 KB). */
const patterned = (size: number, seed: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

const partArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 250, maxLength: 300 }) }, // around the short/long boundary
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 256, max: 100_000 }), fc.nat(255)).map(([size, seed]) => patterned(size, seed)) },
);

type Item = { readonly kind: 'message'; readonly parts: Uint8Array[]; readonly long: boolean } | { readonly kind: 'ping'; readonly context: Uint8Array };

const itemArb: fc.Arbitrary<Item> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('message' as const), parts: fc.array(partArb, { minLength: 1, maxLength: 5 }), long: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ping' as const), context: fc.uint8Array({ maxLength: 16 }) }) },
);

function encodeItem(item: Item): Buffer {
  if (item.kind === 'ping') return encodeCommand('PING', Buffer.concat([Buffer.from([0, 10]), item.context]));
  if (!item.long) return encodeMessage(item.parts);
  return Buffer.concat(item.parts.map((part, i) => longFrame(i < item.parts.length - 1 ? FLAG_MORE : 0, part)));
}

function expectedItem(item: Item): Event {
  if (item.kind === 'ping') return { t: 'command', name: 'PING', data: hex(Buffer.concat([Buffer.from([0, 10]), item.context])) };
  return { t: 'message', parts: item.parts.map(hex) };
}

describe('ZmtpDecoder', () => {
  it('decodes greeting, READY, messages and commands whatever the chunking (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), fc.array(itemArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 60 }), (minor, items, cuts) => {
        const { decoder, events } = decoderFor();
        const stream = Buffer.concat([handshake(minor), ...items.map(encodeItem)]);
        expect(feed(decoder, stream, cuts)).toEqual([]);
        expect(events).toEqual([...expectedHandshake(minor), ...items.map(expectedItem)]);
        expect(decoder.phase).toBe('traffic');
      }),
      { numRuns: 300 },
    );
  });

  it('decodes the same stream fed one byte at a time', () => {
    const items: Item[] = [
      { kind: 'message', parts: [Buffer.from('a'), new Uint8Array(0), patterned(300, 1)], long: false },
      { kind: 'ping', context: Buffer.from('ctx') },
      { kind: 'message', parts: [patterned(70_000, 2)], long: true },
      { kind: 'message', parts: [new Uint8Array(0)], long: false },
    ];
    const { decoder, events } = decoderFor();
    const stream = Buffer.concat([handshake(), ...items.map(encodeItem)]);
    for (let i = 0; i < stream.byteLength; i++) expect(decoder.push(stream.subarray(i, i + 1))).toBeUndefined();
    expect(events).toEqual([...expectedHandshake(), ...items.map(expectedItem)]);
  });

  it('hands frames that lie whole in a chunk over as views, without a copy', () => {
    const { decoder } = decoderFor();
    const seen: Buffer[] = [];
    const viewing = new ZmtpDecoder({ socketType: 'ROUTER', maxMessageBytes: 1 << 20 }, { greeting() {}, ready() {}, command() {}, message: (parts) => seen.push(...parts) });
    const chunk = Buffer.concat([handshake(), encodeMessage([Buffer.from('hello')])]);
    expect(viewing.push(chunk)).toBeUndefined();
    expect(seen[0]!.buffer).toBe(chunk.buffer);
    expect(decoder.phase).toBe('greeting');
  });

  it('accepts a higher ZMTP version (4.0) and reads properties case-insensitively', () => {
    const { decoder, events } = decoderFor();
    const greeting = encodeGreeting(0);
    greeting[10] = 4;
    const ready = encodeCommand('READY', encodeMetadata([['SOCKET-TYPE', Buffer.from('DEALER')], ['identity', Buffer.from('x')], ['X-Extra', Buffer.alloc(0)]]));
    expect(decoder.push(Buffer.concat([greeting, ready]))).toBeUndefined();
    expect(events).toEqual([
      { t: 'greeting', minor: 0 },
      { t: 'ready', socketType: 'DEALER', identity: hex(Buffer.from('x')) },
    ]);
  });

  it('reports an empty identity when the peer announces none', () => {
    const { decoder, events } = decoderFor('DEALER');
    expect(decoder.push(Buffer.concat([encodeGreeting(), encodeReady('ROUTER')]))).toBeUndefined();
    expect(events[1]).toEqual({ t: 'ready', socketType: 'ROUTER', identity: '' });
  });

  /** A stream that must fail with `reason` (once, at the end, without throwing), fed whole and byte by byte. */
  function expectFailure(stream: Buffer, reason: ZmtpErrorReason, options: { socketType?: ZmtpSocketType; maxMessageBytes?: number; maxParts?: number } = {}): Event[] {
    for (const cuts of [[], Array.from({ length: stream.byteLength }, (_, i) => i)]) {
      const { decoder, events } = decoderFor(options.socketType, options.maxMessageBytes, options.maxParts);
      const errors = feed(decoder, stream, cuts);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(ZmtpProtocolError);
      expect(errors[0]!.reason).toBe(reason);
      expect(errors[0]!.code).toBe('EZMTP');
      expect(decoder.phase).toBe<ZmtpPhase>('failed');
      // Nothing more comes out of a failed decoder.
      const before = events.length;
      expect(decoder.push(Buffer.concat([encodeMessage([Buffer.from('late')])]))).toBeUndefined();
      expect(events).toHaveLength(before);
      if (cuts.length === 0) return events;
    }
    return [];
  }

  it('refuses a greeting that is not ZMTP 3: bad signature, ZMTP 1.0, major version 2', () => {
    expectFailure(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'signature');
    const v1 = encodeGreeting();
    v1[9] = 0x7e;
    expectFailure(v1, 'signature');
    const v2 = encodeGreeting();
    v2[10] = 2;
    expectFailure(v2, 'version');
  });

  it('refuses a mechanism other than NULL', () => {
    expectFailure(encodeGreeting(1, 'CURVE'), 'mechanism');
    expectFailure(encodeGreeting(1, 'PLAIN'), 'mechanism');
  });

  it('refuses a message before READY and a handshake command other than READY', () => {
    expectFailure(Buffer.concat([encodeGreeting(), encodeMessage([Buffer.from('early')])]), 'unexpected');
    expectFailure(Buffer.concat([encodeGreeting(), encodeCommand('PING', Buffer.from([0, 0]))]), 'unexpected');
  });

  it('refuses READY metadata that is malformed, lacks a Socket-Type or names an incompatible one', () => {
    expectFailure(Buffer.concat([encodeGreeting(), encodeCommand('READY', Buffer.from([11, ...Buffer.from('Socket-Type'), 0, 0, 0, 9, 65]))]), 'metadata');
    expectFailure(Buffer.concat([encodeGreeting(), encodeCommand('READY', Buffer.from([0]))]), 'metadata');
    expectFailure(Buffer.concat([encodeGreeting(), encodeCommand('READY', encodeMetadata([['Identity', Buffer.from('x')]]))]), 'metadata');
    expectFailure(Buffer.concat([encodeGreeting(), encodeReady('PUSH')]), 'socket_type');
    expectFailure(Buffer.concat([encodeGreeting(), encodeReady('REP')]), 'socket_type', { socketType: 'ROUTER' });
    expectFailure(Buffer.concat([encodeGreeting(), encodeCommand('READY', encodeMetadata([['Socket-Type', Buffer.from('DEALER')], ['Identity', Buffer.alloc(256)]]))]), 'metadata');
  });

  it('refuses malformed command bodies', () => {
    expectFailure(Buffer.concat([handshake(), Buffer.from([FLAG_COMMAND, 0])]), 'command');
    expectFailure(Buffer.concat([handshake(), Buffer.from([FLAG_COMMAND, 3, 9, 65, 66])]), 'command');
  });

  it('treats ERROR as fatal, in the handshake and after it', () => {
    expectFailure(Buffer.concat([encodeGreeting(), encodeErrorCommand('Invalid socket type')]), 'peer_error');
    const events = expectFailure(Buffer.concat([handshake(), encodeErrorCommand('bye')]), 'peer_error');
    expect(events).toEqual(expectedHandshake());
  });

  it('refuses reserved flag bits, MORE on a command, a command inside a message, a second READY', () => {
    expectFailure(Buffer.concat([handshake(), Buffer.from([0x08, 0])]), 'flags');
    expectFailure(Buffer.concat([handshake(), Buffer.from([0x80])]), 'flags');
    expectFailure(Buffer.concat([handshake(), Buffer.from([FLAG_COMMAND | FLAG_MORE, 0])]), 'flags');
    expectFailure(Buffer.concat([handshake(), Buffer.from([FLAG_MORE, 1, 65]), encodeCommand('PING', Buffer.from([0, 0]))]), 'unexpected');
    expectFailure(Buffer.concat([handshake(), encodeReady('DEALER')]), 'unexpected');
  });

  it('refuses frames and messages above the limits from their header, before any body arrives', () => {
    const { decoder, events } = decoderFor('ROUTER', 1024);
    expect(decoder.push(handshake())).toBeUndefined();
    const header = Buffer.from([FLAG_LONG, 0, 0, 0x01, 0, 0, 0, 0, 0]); // 2^40 bytes announced
    const error = decoder.push(header);
    expect(error?.reason).toBe('too_large');
    expect(events).toEqual(expectedHandshake());
    expectFailure(Buffer.concat([handshake(), Buffer.from([FLAG_LONG, 0x80, 0, 0, 0, 0, 0, 0, 0])]), 'too_large'); // 2^63
    expectFailure(Buffer.concat([handshake(), encodeMessage([patterned(600, 1), patterned(600, 2)])]), 'too_large', { maxMessageBytes: 1000 });
    expectFailure(Buffer.concat([handshake(), encodeMessage([new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)])]), 'too_large', { maxParts: 2 });
    expectFailure(Buffer.concat([handshake(), encodeCommand('X', new Uint8Array(70_000))]), 'too_large');
  });

  it('accepts exactly the limit', () => {
    const { decoder, events } = decoderFor('ROUTER', 1000, 2);
    const stream = Buffer.concat([handshake(), encodeMessage([patterned(400, 1), patterned(600, 2)])]);
    expect(feed(decoder, stream, [70, 500])).toEqual([]);
    expect(events).toHaveLength(3);
  });

  it('never throws on garbage after a valid handshake, fails at most once, and delivers nothing after (property)', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 4 }), fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.array(fc.nat(), { maxLength: 20 }), (items, garbage, cuts) => {
        const { decoder, events } = decoderFor('ROUTER', 64 * 1024);
        const prefix = Buffer.concat([handshake(), ...items.map(encodeItem)]);
        const errors = feed(decoder, Buffer.concat([prefix, garbage]), cuts.map((c) => prefix.byteLength + (c % (garbage.byteLength + 1))));
        expect(errors.length).toBeLessThanOrEqual(1);
        for (const error of errors) expect(error).toBeInstanceOf(ZmtpProtocolError);
        // Every item before the garbage came out intact, in order (items above 64 KiB fail instead).
        const fits = items.every((item) => item.kind === 'ping' || item.parts.reduce((n, p) => n + p.byteLength, 0) <= 64 * 1024);
        if (fits) expect(events.slice(0, 2 + items.length)).toEqual([...expectedHandshake(), ...items.map(expectedItem)]);
        if (errors.length === 1) {
          const count = events.length;
          expect(decoder.push(encodeMessage([Buffer.from('after')]))).toBeUndefined();
          expect(events).toHaveLength(count);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated streams (flipped and dropped bytes), from the greeting on (property)', () => {
    const base = Buffer.concat([handshake(), encodeItem({ kind: 'message', parts: [patterned(300, 3), Buffer.from('x')], long: false }), encodeItem({ kind: 'ping', context: Buffer.from('p') })]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.byteLength - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(base.byteLength - 1), { nil: undefined }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (flips, drop, cuts) => {
          const stream = Buffer.from(base);
          for (const [at, value] of flips) stream[at] = value;
          const mutated = drop === undefined ? stream : Buffer.concat([stream.subarray(0, drop), stream.subarray(drop + 1)]);
          const { decoder } = decoderFor('ROUTER', 64 * 1024);
          const errors = feed(decoder, mutated, cuts);
          expect(errors.length).toBeLessThanOrEqual(1);
          for (const error of errors) expect(error).toBeInstanceOf(ZmtpProtocolError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('stops delivering when the handler stops it', () => {
    const seen: string[] = [];
    const decoder: ZmtpDecoder = new ZmtpDecoder(
      { socketType: 'ROUTER', maxMessageBytes: 1024 },
      {
        greeting() {},
        ready() {},
        command() {},
        message: (parts) => {
          seen.push(parts[0]!.toString());
          decoder.stop();
        },
      },
    );
    expect(decoder.push(Buffer.concat([handshake(), encodeMessage([Buffer.from('one')]), encodeMessage([Buffer.from('two')])]))).toBeUndefined();
    expect(seen).toEqual(['one']);
    expect(decoder.phase).toBe('stopped');
  });
});

/** Push `stream` cut at `cuts` through one reused buffer, overwritten with junk after every push (a socket's onread buffer). */
function feedReused(decoder: ZmtpDecoder, stream: Buffer, cuts: readonly number[] = []): ZmtpProtocolError[] {
  const points = [...new Set(cuts.map((c) => c % (stream.byteLength + 1)))].sort((a, b) => a - b);
  const reused = Buffer.alloc(Math.max(1, stream.byteLength));
  const errors: ZmtpProtocolError[] = [];
  let from = 0;
  for (const to of [...points, stream.byteLength]) {
    if (to < from) continue;
    stream.copy(reused, 0, from, to);
    const error = decoder.pushTransient(reused, to - from);
    if (error !== undefined) errors.push(error);
    reused.fill(0xa5);
    from = to;
  }
  return errors;
}

describe('ZmtpDecoder.pushTransient (input in a buffer reused after every push)', () => {
  it('decodes what push decodes whatever the chunking, multi-frame messages and the handshake included (property)', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 60 }), (items, cuts) => {
        const { decoder, events } = decoderFor();
        const stream = Buffer.concat([handshake(), ...items.map(encodeItem)]);
        expect(feedReused(decoder, stream, cuts)).toEqual([]);
        expect(events).toEqual([...expectedHandshake(), ...items.map(expectedItem)]);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a stream cut at every byte boundary', () => {
    const items: Item[] = [
      { kind: 'message', parts: [Buffer.from('ab'), patterned(40, 3)], long: false },
      { kind: 'message', parts: [patterned(150, 4)], long: false },
      { kind: 'ping', context: Buffer.from('c') },
      { kind: 'message', parts: [patterned(300, 5)], long: false },
    ];
    const stream = Buffer.concat([handshake(), ...items.map(encodeItem)]);
    for (let cut = 0; cut <= stream.byteLength; cut++) {
      const { decoder, events } = decoderFor();
      expect(feedReused(decoder, stream, [cut, cut + 1, cut + 97])).toEqual([]);
      expect(events).toEqual([...expectedHandshake(), ...items.map(expectedItem)]);
    }
  });

  it('keeps the peer READY described intact after its input buffer is reused', () => {
    let peer: ZmtpPeer | undefined;
    const decoder = new ZmtpDecoder({ socketType: 'ROUTER', maxMessageBytes: 1 << 20 }, { greeting() {}, ready: (p) => (peer = p), command() {}, message() {} });
    expect(feedReused(decoder, handshake(1, 'DEALER', Buffer.from('peer-1')))).toEqual([]);
    expect(peer!.identity.toString()).toBe('peer-1');
    expect(peer!.properties.get('socket-type')!.toString()).toBe('DEALER');
  });

  it('hands a short frame at the start of the input over as one view per size (the input is always there)', () => {
    const seen: Buffer[] = [];
    const contents: string[] = [];
    const decoder = new ZmtpDecoder(
      { socketType: 'ROUTER', maxMessageBytes: 1 << 20 },
      {
        greeting() {},
        ready() {},
        command() {},
        message() {},
        frame: (body) => {
          seen.push(body);
          contents.push(body.toString('hex'));
        },
      },
    );
    expect(decoder.push(handshake())).toBeUndefined();
    const reused = Buffer.alloc(1024);
    for (const [size, seed] of [[150, 1], [150, 2], [20, 3], [150, 4]] as const) {
      const message = encodeMessage([patterned(size, seed)]);
      message.copy(reused);
      expect(decoder.pushTransient(reused, message.byteLength)).toBeUndefined();
    }
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toBe(seen[3]);
    expect(seen[2]!.byteLength).toBe(20);
    expect(contents).toEqual([[150, 1], [150, 2], [20, 3], [150, 4]].map(([size, seed]) => Buffer.from(patterned(size!, seed!)).toString('hex')));
  });
});
