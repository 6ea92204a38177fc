import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Dealer, Router } from 'zeromq';
import { FrameCodec, type ControlFrame, type Frame } from '@sdnode/wire';
import { randomNonce } from '../handshake-digest.js';
import { seqFrame } from '../testing/compliance.js';
import { EventRecorder } from '../testing/event-recorder.js';
import { waitUntil } from '../testing/wait-until.js';
import { StaticResolver } from '../static-resolver.js';
import { ZmqTransport } from './zmq-transport.js';

const COOKIE = 'bad-input-cookie';
const MAX_MESSAGE = 64 * 1024;

/**
 * One node under attack (`target`), one good peer connected to it the whole time, and raw
 * ZeroMQ sockets sending it garbage. After every attack the target must still be up, have
 * counted the bad input, and keep exchanging frames in order with the good peer.
 */
describe('ZmqTransport under bad input', () => {
  let target: ZmqTransport;
  let good: ZmqTransport;
  let atTarget: EventRecorder;
  let atGood: EventRecorder;
  let rounds = 0;
  const raws: Array<Dealer | Router> = [];
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (_obj: object, msg?: string) => warnings.push(msg ?? ''), error() {} };

  beforeAll(async () => {
    const resolver = new StaticResolver();
    target = new ZmqTransport({ name: 'target@host', cookie: COOKIE, resolver, maxMessageBytes: MAX_MESSAGE, logger });
    good = new ZmqTransport({ name: 'good@host', cookie: COOKIE, resolver });
    resolver.learn(target.name, await target.listen());
    resolver.learn(good.name, await good.listen());
    atTarget = new EventRecorder(target);
    atGood = new EventRecorder(good);
    await good.connect(target.name);
  });

  afterAll(async () => {
    for (const socket of raws) socket.close();
    await Promise.all([target.close(), good.close()]);
  });

  function rawDealer(routingId?: string): Dealer {
    const dealer = new Dealer({ linger: 0, ...(routingId === undefined ? {} : { routingId }) });
    dealer.connect(target.address!);
    raws.push(dealer);
    return dealer;
  }

  /** The good peer still talks to the target, in order, on the same connection. */
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

  it('counts and drops random bytes from unknown senders (property)', async () => {
    const dealer = rawDealer();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 2048 }), async (bytes) => {
        const before = target.stats().badFrames;
        await dealer.send(bytes);
        await expectCounted(before, 1);
      }),
      { numRuns: 60 },
    );
    await goodPeerUnaffected();
  });

  it('counts truncated frames, multipart messages, frames before the handshake and unknown frame types', async () => {
    const codec = new FrameCodec();
    const hello = codec.encode({
      kind: 'hello',
      version: 1,
      name: 'raw@host',
      creation: 1,
      flags: { hidden: false },
      address: 'tcp://127.0.0.1:1',
      challenge: randomNonce(),
      session: randomNonce(),
    });
    const attacks: Array<Uint8Array | Uint8Array[]> = [
      hello.subarray(0, hello.byteLength - 5), // truncated HELLO
      [hello, hello], // multipart message
      codec.encode(seqFrame(1)), // a distribution frame before any handshake
      codec.encode({ kind: 'challenge_reply', session: randomNonce(), digest: randomNonce() }), // out of state
      codec.encode({ kind: 'challenge_ack', session: randomNonce() }), // out of state
      Uint8Array.from([0x82, 0x18, 0x63, 0x61, 0x78]), // [99, "x"]: an unknown frame type
      new Uint8Array(0), // empty message
    ];
    const before = target.stats().badFrames;
    const dealer = rawDealer();
    for (const attack of attacks) await dealer.send(attack);
    await expectCounted(before, attacks.length);
    expect(warnings.filter((m) => m === 'bad input dropped').length).toBeGreaterThanOrEqual(attacks.length);
    await goodPeerUnaffected();
  });

  it('drops a message above maxMessageBytes and survives one above the libzmq limit', async () => {
    const before = target.stats().badFrames;
    await rawDealer().send(new Uint8Array(MAX_MESSAGE + 100));
    await expectCounted(before, 1);
    const huge = rawDealer();
    let disconnected = false;
    huge.events.on('disconnect', () => {
      disconnected = true;
    });
    await huge.send(new Uint8Array(MAX_MESSAGE * 4));
    await waitUntil(() => disconnected, { what: 'libzmq to cut the sender of a huge message' });
    await goodPeerUnaffected();
  });

  it('refuses a HELLO of an unsupported version and tells the sender why', async () => {
    const listener = new Router({ linger: 0 });
    raws.push(listener);
    await listener.bind('tcp://127.0.0.1:0');
    const session = randomNonce();
    const hello: Frame = {
      kind: 'hello',
      version: 99,
      name: 'future@host',
      creation: 1,
      flags: { hidden: false },
      address: listener.lastEndpoint!,
      challenge: randomNonce(),
      session,
    };
    const refusedBefore = target.stats().handshakesRefused;
    await rawDealer().send(new FrameCodec().encode(hello));
    const [, payload] = await listener.receive();
    const { frames } = new FrameCodec().decodeBatch(payload!);
    expect(frames).toEqual([{ kind: 'refuse', session: expect.anything(), reason: 'version' }]);
    expect(Buffer.from((frames[0] as { session: Uint8Array }).session)).toEqual(Buffer.from(session));
    expect(target.stats().handshakesRefused).toBe(refusedBefore + 1);
    expect(target.peer('future@host')).toBeUndefined();
    await goodPeerUnaffected();
  });

  it('drops frames claiming to come from the good peer on another stream', async () => {
    const before = target.stats().badFrames;
    const codec = new FrameCodec();
    await rawDealer().send(FrameCodec.concat([codec.encode(seqFrame(666, 'spoof'))]));
    await expectCounted(before, 1);
    expect(atTarget.frames().some((f) => (f as ControlFrame).channel === 'spoof')).toBe(false);
    await goodPeerUnaffected();
  });
});
