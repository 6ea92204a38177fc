import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Dealer } from 'zeromq';
import { FrameCodec, type ControlFrame } from '@sdnode/wire';
import { seqFrame } from '../testing/compliance.js';
import { EventRecorder } from '../testing/event-recorder.js';
import { waitUntil } from '../testing/wait-until.js';
import { StaticResolver } from '../static-resolver.js';
import { FLAG_LONG, encodeCommand, encodeGreeting, encodeMessage, encodeReady } from '../zmtp/zmtp-codec.js';
import { NetTransport } from './net-transport.js';
import { parseTcpEndpoint } from './tcp-endpoint.js';

const COOKIE = 'bad-input-cookie';
const MAX_MESSAGE = 64 * 1024;
const HANDSHAKE_TIMEOUT = 600;

/**
 * One NetTransport under attack (`target`), one good peer connected to it the whole time, and
 * raw TCP sockets and zeromq.js Dealers sending it garbage. Bytes that break ZMTP close that one
 * connection with a typed ZmtpProtocolError, counted in badFrames; well-framed garbage reaches the
 * engine and is counted there. After every attack the target is still up and keeps exchanging
 * frames in order with the good peer, on the same connection.
 */
describe('NetTransport under bad input', () => {
  let target: NetTransport;
  let good: NetTransport;
  let atTarget: EventRecorder;
  let atGood: EventRecorder;
  let rounds = 0;
  const raws: Array<Socket | Dealer> = [];
  const warnings: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const logger = { debug() {}, info() {}, warn: (obj: object, msg?: string) => warnings.push({ obj: obj as Record<string, unknown>, msg: msg ?? '' }), error() {} };

  beforeAll(async () => {
    const resolver = new StaticResolver();
    target = new NetTransport({ name: 'target@host', cookie: COOKIE, resolver, maxMessageBytes: MAX_MESSAGE, handshakeTimeout: HANDSHAKE_TIMEOUT, logger });
    good = new NetTransport({ name: 'good@host', cookie: COOKIE, resolver });
    resolver.learn(target.name, await target.listen());
    resolver.learn(good.name, await good.listen());
    atTarget = new EventRecorder(target);
    atGood = new EventRecorder(good);
    await good.connect(target.name);
  });

  afterAll(async () => {
    for (const raw of raws) {
      if (raw instanceof Dealer) raw.close();
      else raw.destroy();
    }
    await Promise.all([target.close(), good.close()]);
  });

  /** A raw TCP connection to the target; `closed` turns true when the target closes it. */
  async function rawSocket(): Promise<{ socket: Socket; received: Buffer[]; closed: () => boolean }> {
    const { host, port } = parseTcpEndpoint('address', target.address!);
    const socket = connect({ host, port });
    raws.push(socket);
    const received: Buffer[] = [];
    let closed = false;
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => (closed = true));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    return { socket, received, closed: () => closed };
  }

  async function goodPeerUnaffected(): Promise<void> {
    const epoch = target.peer(good.name)?.epoch;
    expect(epoch).toBeDefined();
    const channel = `check${++rounds}`;
    for (let i = 0; i < 20; i++) good.send(target.name, seqFrame(i, channel));
    await waitUntil(() => atTarget.frames().filter((f) => (f as ControlFrame).channel === channel).length === 20, { what: 'the good frames' });
    expect(atTarget.frames().filter((f) => (f as ControlFrame).channel === channel).map((f) => (f as ControlFrame).body)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(target.peer(good.name)?.epoch).toBe(epoch);
    expect([...atTarget.of('nodedown'), ...atGood.of('nodedown')]).toEqual([]);
  }

  async function expectCounted(before: number, extra: number): Promise<void> {
    await waitUntil(() => target.stats().badFrames >= before + extra, { what: `${extra} more bad frames counted` });
    expect(target.stats().badFrames).toBe(before + extra);
  }

  const handshake = (identity = 'raw-attacker'): Buffer => Buffer.concat([encodeGreeting(), encodeReady('DEALER', Buffer.from(identity))]);

  it('closes and counts connections that break ZMTP, each with its typed reason', async () => {
    const attacks: Array<{ bytes: Buffer; reason: string }> = [
      { bytes: Buffer.from('GET / HTTP/1.1\r\nHost: target\r\n\r\n'), reason: 'signature' },
      { bytes: (() => { const g = encodeGreeting(); g[10] = 2; return g; })(), reason: 'version' },
      { bytes: encodeGreeting(1, 'CURVE'), reason: 'mechanism' },
      { bytes: Buffer.concat([encodeGreeting(), encodeMessage([Buffer.from('too early')])]), reason: 'unexpected' },
      { bytes: Buffer.concat([handshake('a1'), Buffer.from([FLAG_LONG, 0, 0, 0x01, 0, 0, 0, 0, 0])]), reason: 'too_large' },
      { bytes: Buffer.concat([handshake('a2'), Buffer.from([0x40, 1, 0])]), reason: 'flags' },
      { bytes: Buffer.concat([handshake('a3'), encodeCommand('READY', Buffer.from([1]))]), reason: 'unexpected' },
      { bytes: Buffer.concat([handshake('a4'), encodeCommand('ERROR', Buffer.from([3, 98, 121, 101]))]), reason: 'peer_error' },
    ];
    for (const { bytes, reason } of attacks) {
      const before = target.stats().badFrames;
      const raw = await rawSocket();
      raw.socket.write(bytes);
      await waitUntil(raw.closed, { what: `the target to close a connection that sent a ${reason} error` });
      await expectCounted(before, 1);
      expect(warnings.at(-1)?.msg).toBe('bad input dropped');
      expect(warnings.at(-1)?.obj['code']).toBe('EZMTP');
      expect(String(warnings.at(-1)?.obj['error'])).toContain(`(${reason})`);
    }
    await goodPeerUnaffected();
  });

  it('answers a wrong socket type with ERROR before closing', async () => {
    const before = target.stats().badFrames;
    const raw = await rawSocket();
    raw.socket.write(Buffer.concat([encodeGreeting(), encodeReady('PUB')]));
    await waitUntil(raw.closed, { what: 'the target to close the PUB' });
    await expectCounted(before, 1);
    expect(Buffer.concat(raw.received).includes(Buffer.from('ERROR'))).toBe(true);
    await goodPeerUnaffected();
  });

  it('drops a connection that never finishes its handshake after the handshake timeout', async () => {
    const before = target.stats().badFrames;
    const raw = await rawSocket();
    raw.socket.write(encodeGreeting().subarray(0, 30)); // half a greeting, then silence
    const started = Date.now();
    await waitUntil(raw.closed, { what: 'the target to drop the silent connection', timeout: 5_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT - 100);
    await expectCounted(before, 1);
    await goodPeerUnaffected();
  });

  it('refuses a second connection that claims a routing id already connected', async () => {
    const first = await rawSocket();
    first.socket.write(handshake('twin'));
    await waitUntil(() => first.received.length > 0, { what: 'the target to answer the first twin' });
    const before = target.stats().badFrames;
    const second = await rawSocket();
    second.socket.write(handshake('twin'));
    await waitUntil(second.closed, { what: 'the target to close the second twin' });
    await expectCounted(before, 1);
    expect(first.closed()).toBe(false);
    await goodPeerUnaffected();
  });

  it('counts well-framed garbage from a zeromq.js Dealer in the engine: random bytes, multipart, oversized (property)', async () => {
    const dealer = new Dealer({ linger: 0 });
    raws.push(dealer);
    dealer.connect(target.address!);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 2048 }), async (bytes) => {
        const before = target.stats().badFrames;
        await dealer.send(bytes);
        await expectCounted(before, 1);
      }),
      { numRuns: 60 },
    );
    const codec = new FrameCodec();
    let before = target.stats().badFrames;
    await dealer.send([codec.encode(seqFrame(1)), codec.encode(seqFrame(2))]); // multipart
    await dealer.send(new Uint8Array(MAX_MESSAGE + 100)); // above maxMessageBytes, below the hard limit
    await expectCounted(before, 2);
    // Above the hard limit: the connection is cut and counted; the Dealer sees the disconnect.
    let disconnected = false;
    dealer.events.on('disconnect', () => (disconnected = true));
    before = target.stats().badFrames;
    await dealer.send(new Uint8Array(MAX_MESSAGE * 4));
    await waitUntil(() => disconnected, { what: 'the target to cut the sender of a huge message' });
    await expectCounted(before, 1);
    await goodPeerUnaffected();
  });

  it('survives random bytes after a valid ZMTP handshake, split anyhow (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.array(fc.nat(511), { maxLength: 4 }), async (garbage, cuts) => {
        const raw = await rawSocket();
        raw.socket.write(handshake(`prop-${Math.random()}`));
        let from = 0;
        for (const cut of [...new Set(cuts)].sort((a, b) => a - b).concat(garbage.byteLength)) {
          if (cut <= from || cut > garbage.byteLength) continue;
          raw.socket.write(garbage.subarray(from, cut));
          from = cut;
        }
        raw.socket.destroy();
      }),
      { numRuns: 80 },
    );
    await goodPeerUnaffected();
  });
});
