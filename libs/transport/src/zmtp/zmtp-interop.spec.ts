import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer, Pull, Push, Router, curveKeyPair } from 'zeromq';
import { waitUntil } from '../testing/wait-until.js';
import type { ZmtpSocketType } from './zmtp-codec.js';
import { ZmtpConnection } from './zmtp-connection.js';
import type { ZmtpPeer } from './zmtp-decoder.js';
import { ZmtpProtocolError } from './zmtp-errors.js';

/**
 * ZmtpConnection against libzmq (zeromq.js), both ways: a zeromq.js Dealer dialing a ZMTP
 * listener of ours (a ROUTER), and a ZmtpConnection (a DEALER) dialing a zeromq.js Router;
 * multi-frame messages, long frames, ZMTP 3.0 and 3.1 greetings, and the handshake refusals.
 */

interface Side {
  connection: ZmtpConnection;
  peer: ZmtpPeer | undefined;
  messages: Buffer[][];
  closed: Error | undefined | null;
}

function attach(socket: Socket, socketType: ZmtpSocketType, extra: { identity?: string; minor?: number; eagerReady?: boolean } = {}): Side {
  const side: Side = { connection: undefined!, peer: undefined, messages: [], closed: null };
  side.connection = new ZmtpConnection(
    socket,
    {
      socketType,
      maxMessageBytes: 8 * 1024 * 1024,
      handshakeTimeout: 5_000,
      ...(extra.identity === undefined ? {} : { identity: Buffer.from(extra.identity) }),
      ...(extra.minor === undefined ? {} : { minor: extra.minor }),
      ...(extra.eagerReady === undefined ? {} : { eagerReady: extra.eagerReady }),
    },
    {
      ready: (peer) => (side.peer = peer),
      message: (parts) => side.messages.push(parts.map((p) => Buffer.from(p))),
      closed: (error) => (side.closed = error),
    },
  );
  return side;
}

const big = (size: number, seed: number): Buffer => {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
};

/** Parts as short printable summaries (deep equality over megabyte buffers is slow). */
const summary = (parts: readonly Uint8Array[]): string[] =>
  parts.map((p) => `${p.byteLength}:${Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64').slice(0, 24)}:${checksum(p)}`);

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.byteLength; i++) sum = (sum * 31 + bytes[i]!) >>> 0;
  return sum;
}

/** A connection refused during the handshake: a typed error of the expected reason, or a close or reset by the peer. */
function expectRefusal(closed: Error | undefined | null, reason: RegExp): void {
  expect(closed).not.toBeNull();
  if (closed instanceof ZmtpProtocolError) expect(closed.reason).toMatch(reason);
  else if (closed !== undefined) expect((closed as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|EPIPE/);
}

describe('ZMTP over node:net with libzmq (zeromq.js)', () => {
  const cleanup: Array<() => void | Promise<void>> = [];

  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  /** A ZMTP ROUTER of ours listening on loopback; resolves its endpoint and the accepted sides. */
  async function listener(extra: { minor?: number; eagerReady?: boolean } = {}): Promise<{ endpoint: string; accepted: Side[] }> {
    const accepted: Side[] = [];
    const server: Server = createServer((socket) => accepted.push(attach(socket, 'ROUTER', extra)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const side of accepted) side.connection.destroy();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as { port: number };
    return { endpoint: `tcp://127.0.0.1:${port}`, accepted };
  }

  function dial(endpoint: string, socketType: ZmtpSocketType, extra: { identity?: string; minor?: number; eagerReady?: boolean } = {}): Side {
    const url = new URL(endpoint.replace('tcp://', 'http://'));
    const side = attach(connect({ host: url.hostname, port: Number(url.port) }), socketType, extra);
    cleanup.push(() => side.connection.destroy());
    return side;
  }

  function zmq<T extends { close(): void }>(socket: T): T {
    cleanup.push(() => socket.close());
    return socket;
  }

  // ZMTP 3.0 with READY after the peer's greeting; ZMTP 3.1 with READY sent with the greeting (the default).
  for (const [minor, eagerReady] of [
    [0, false],
    [1, true],
  ] as const) {
    it(`a zeromq.js Dealer dials our ROUTER (ZMTP 3.${minor} greeting) and multi-frame messages go both ways`, async () => {
      const { endpoint, accepted } = await listener({ minor, eagerReady });
      const dealer = zmq(new Dealer({ routingId: 'dealer-one', linger: 0 }));
      dealer.connect(endpoint);
      await dealer.send(['first', Buffer.alloc(0), big(300, 1)]);
      await dealer.send(big(200_000, 2));
      await waitUntil(() => accepted[0]?.messages.length === 2, { what: 'two messages from the Dealer' });
      const side = accepted[0]!;
      expect(side.peer?.socketType).toBe('DEALER');
      expect(side.peer?.identity.toString()).toBe('dealer-one');
      expect(summary(side.messages[0]!)).toEqual(summary([Buffer.from('first'), Buffer.alloc(0), big(300, 1)]));
      expect(summary(side.messages[1]!)).toEqual(summary([big(200_000, 2)]));
      expect(side.connection.send([Buffer.from('back'), big(70_000, 3), Buffer.from('end')])).toBe(true);
      side.connection.sendFrame(Buffer.from('single'));
      expect(summary(await dealer.receive())).toEqual(summary([Buffer.from('back'), big(70_000, 3), Buffer.from('end')]));
      expect(await dealer.receive()).toEqual([Buffer.from('single')]);
    });

    it(`our DEALER (ZMTP 3.${minor} greeting) dials a zeromq.js Router and multi-frame messages go both ways`, async () => {
      const router = zmq(new Router({ linger: 0 }));
      await router.bind('tcp://127.0.0.1:0');
      const side = dial(router.lastEndpoint!, 'DEALER', { identity: 'our-dealer', minor, eagerReady });
      await waitUntil(() => side.peer !== undefined, { what: 'the ZMTP handshake with the Router' });
      expect(side.peer?.socketType).toBe('ROUTER');
      side.connection.send([Buffer.from('one'), Buffer.alloc(0), big(1_000_000, 4)]);
      side.connection.sendFrame(big(256, 5));
      const [from, ...parts] = await router.receive();
      expect(from!.toString()).toBe('our-dealer');
      expect(summary(parts)).toEqual(summary([Buffer.from('one'), Buffer.alloc(0), big(1_000_000, 4)]));
      const [from2, single] = await router.receive();
      expect(from2!.toString()).toBe('our-dealer');
      expect(summary([single!])).toEqual(summary([big(256, 5)]));
      await router.send([from!, 'reply', big(500, 6)]);
      await waitUntil(() => side.messages.length === 1, { what: 'the reply from the Router' });
      expect(summary(side.messages[0]!)).toEqual(summary([Buffer.from('reply'), big(500, 6)]));
    });
  }

  it('keeps the order of many small messages from a zeromq.js Dealer split over many reads', async () => {
    const { endpoint, accepted } = await listener();
    const dealer = zmq(new Dealer({ linger: 0 }));
    dealer.connect(endpoint);
    for (let i = 0; i < 5_000; i++) await dealer.send([String(i), big(i % 600, i)]);
    await waitUntil(() => accepted[0]?.messages.length === 5_000, { what: '5000 messages' });
    const got = accepted[0]!.messages.map((parts) => summary(parts).join(' '));
    expect(got).toEqual(Array.from({ length: 5_000 }, (_, i) => summary([Buffer.from(String(i)), big(i % 600, i)]).join(' ')));
    // An anonymous Dealer announces an empty identity.
    expect(accepted[0]!.peer?.identity.byteLength).toBe(0);
  });

  it('refuses a socket type that cannot talk to ours, on either side', async () => {
    // Our DEALER dialing a zeromq.js PULL: PULL only talks to PUSH.
    const pull = zmq(new Pull({ linger: 0 }));
    await pull.bind('tcp://127.0.0.1:0');
    const side = dial(pull.lastEndpoint!, 'DEALER');
    await waitUntil(() => side.closed !== null, { what: 'the connection to close' });
    expect(side.peer).toBeUndefined();
    // Whoever sees the other's READY first refuses: we (socket_type), or libzmq, which closes
    // (an ERROR, an orderly close, or a reset when our READY was still arriving).
    expectRefusal(side.closed, /socket_type|peer_error/);
    // A zeromq.js PUSH dialing our ROUTER: the same race, the other way round.
    const { endpoint, accepted } = await listener();
    const push = zmq(new Push({ linger: 0, reconnectInterval: -1 }));
    push.connect(endpoint);
    await waitUntil(() => accepted[0] !== undefined && accepted[0].closed !== null, { what: 'the PUSH connection to end' });
    expectRefusal(accepted[0]!.closed, /socket_type|peer_error/);
    expect(accepted[0]!.peer).toBeUndefined();
  });

  it('never completes a handshake with a CURVE peer, in either direction', async () => {
    // libzmq checks our greeting's mechanism as soon as it has it and closes, often before its own
    // greeting has left: our side then sees a close during the handshake, or (when the greeting
    // did arrive) a typed mechanism error. Either way nothing comes up.
    const keys = curveKeyPair();
    const { endpoint, accepted } = await listener();
    const own = curveKeyPair();
    const client = zmq(new Dealer({ linger: 0, reconnectInterval: -1, curveServerKey: keys.publicKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey }));
    client.connect(endpoint);
    const router = zmq(new Router({ linger: 0, curveServer: true, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey }));
    await router.bind('tcp://127.0.0.1:0');
    const side = dial(router.lastEndpoint!, 'DEALER');
    await waitUntil(() => accepted[0] !== undefined && accepted[0].closed !== null && side.closed !== null, { what: 'both connections to close' });
    for (const closed of [accepted[0]!, side]) {
      expect(closed.peer).toBeUndefined();
      expectRefusal(closed.closed, /mechanism/);
    }
  });

  it('answers a libzmq heartbeat PING with PONG, keeping the connection up', async () => {
    const { endpoint, accepted } = await listener();
    // libzmq sends PING every heartbeatInterval and drops the connection without traffic within heartbeatTimeout.
    const dealer = zmq(new Dealer({ linger: 0, heartbeatInterval: 50, heartbeatTimeout: 200 }));
    let disconnects = 0;
    dealer.events.on('disconnect', () => disconnects++);
    dealer.connect(endpoint);
    await dealer.send('hello');
    await waitUntil(() => accepted[0]?.messages.length === 1, { what: 'the first message' });
    await new Promise((resolve) => setTimeout(resolve, 700));
    await dealer.send('still here');
    await waitUntil(() => accepted[0]?.messages.length === 2, { what: 'the second message' });
    expect(disconnects).toBe(0);
    expect(accepted).toHaveLength(1);
  });
});
