// Connection behaviour every TCP carrier must show, whatever speaks ZMTP underneath: what it
// advertises, which endpoints it refuses, how connect fails (nothing there, someone else there,
// not ZMTP there, our own name there) and how it waits for a late listener. NetTransport and
// ZmqTransport both run it (net/net-connect.spec.ts, zmq/zmq-connect.spec.ts); each spec keeps
// only what is its carrier's own (CURVE, the ZMTP socket types it refuses).
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionRefusedError, HandshakeError, InvalidArgumentError, TimeoutError } from '@sdnode/wire';
import { StaticResolver } from '../static-resolver.js';
import type { Transport } from '../transport.js';
import { seqFrame } from './compliance.js';
import { EventRecorder } from './event-recorder.js';
import { freeLoopbackEndpoint } from './loopback-endpoints.test-util.js';

export const TCP_SUITE_COOKIE = 'connect-cookie';

/** What the suite may set on a transport it creates. */
export interface TcpTestOptions {
  readonly name: string;
  readonly cookie: string;
  readonly resolver?: StaticResolver;
  readonly listen?: string;
  readonly advertise?: string;
}

/** The suite's helpers, handed to a carrier's own tests too. */
export interface TcpSuiteContext {
  readonly resolver: StaticResolver;
  /** A listening transport, resolvable by name, closed after the test. */
  node(name: string, extra?: Partial<TcpTestOptions>): Promise<Transport>;
  /** Close `close` after the test (servers, raw sockets). */
  after(close: () => void): void;
  /** Close `t` after the test. */
  track<T extends Transport>(t: T): T;
}

/**
 * Registers the TCP connection suite for one carrier, and returns the context its own tests use
 * (call inside the same `describe`).
 */
export function tcpConnectionSuite(create: (options: TcpTestOptions) => Transport): TcpSuiteContext {
  const started: Transport[] = [];
  const closers: Array<() => void> = [];
  const resolver = new StaticResolver();

  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    await Promise.all(started.splice(0).map((t) => t.close()));
  });

  const ctx: TcpSuiteContext = {
    resolver,
    async node(name, extra = {}) {
      const t = ctx.track(create({ name, cookie: TCP_SUITE_COOKIE, resolver, ...extra }));
      resolver.learn(name, await t.listen());
      return t;
    },
    after(close) {
      closers.push(close);
    },
    track(t) {
      started.push(t);
      return t;
    },
  };
  const { node } = ctx;

  describe('TCP connections (every carrier)', () => {
    it('advertises the endpoint it bound, with the port the OS chose, or the configured address', async () => {
      const a = await node('a@host');
      expect(a.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(a.address).not.toBe('tcp://127.0.0.1:0');
      const b = await node('b@host', { advertise: 'tcp://node-b.example:4370' });
      expect(b.address).toBe('tcp://node-b.example:4370');
    });

    it('refuses a wildcard listen without advertise and a malformed endpoint, and advertises what it is told', async () => {
      for (const listen of ['tcp://0.0.0.0:0', 'tcp://*:0', 'tcp://127.0.0.1:99999', 'udp://127.0.0.1:0']) {
        await expect(ctx.track(create({ name: 'w@host', cookie: TCP_SUITE_COOKIE, listen })).listen(), listen).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      const wildcard = await node('wild@host', { listen: 'tcp://0.0.0.0:0', advertise: 'tcp://127.0.0.1:4999' });
      expect(wildcard.address).toBe('tcp://127.0.0.1:4999');
    });

    it('fails to bind an endpoint in use with an InvalidArgumentError', async () => {
      const a = await node('a@host');
      await expect(ctx.track(create({ name: 'b@host', cookie: TCP_SUITE_COOKIE, listen: a.address! })).listen()).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('gives up with a TimeoutError when nothing listens at the address', async () => {
      const a = await node('a@host');
      const endpoint = await freeLoopbackEndpoint();
      await expect(a.connect('absent@host', { address: endpoint, timeout: 400 })).rejects.toBeInstanceOf(TimeoutError);
      expect(a.peers()).toEqual([]);
    });

    it('retries the first connect until the peer starts listening', async () => {
      const a = await node('a@host');
      const endpoint = await freeLoopbackEndpoint();
      // The first dial goes out before anything listens there (and is refused); connect keeps trying.
      const connecting = a.connect('late@host', { address: endpoint, timeout: 5_000 });
      const late = ctx.track(create({ name: 'late@host', cookie: TCP_SUITE_COOKIE, listen: endpoint, resolver }));
      await late.listen();
      const info = await connecting;
      expect(info.name).toBe('late@host');
      expect(info.address).toBe(endpoint);
    });

    it('fails with a HandshakeError when another node answers at the address', async () => {
      const a = await node('a@host');
      const b = await node('b@host');
      await expect(a.connect('x@host', { address: b.address!, timeout: 2_000 })).rejects.toBeInstanceOf(HandshakeError);
      expect(a.peers()).toEqual([]);
      expect(b.peers()).toEqual([]);
    });

    it('refuses a peer that uses our own node name', async () => {
      const a = await node('same@host');
      const twin = ctx.track(create({ name: 'same@host', cookie: TCP_SUITE_COOKIE, resolver }));
      await twin.listen();
      await expect(twin.connect('same@host')).rejects.toBeInstanceOf(InvalidArgumentError);
      // The twin dials a's address: a refuses the HELLO that carries its own name and says so.
      await expect(twin.connect('other@host', { address: a.address!, timeout: 2_000 })).rejects.toBeInstanceOf(ConnectionRefusedError);
      expect(a.stats().handshakesRefused).toBe(1);
      expect(a.peers()).toEqual([]);
    });

    it('fails with a HandshakeError, well before its timeout, when the address speaks another protocol', async () => {
      const a = await node('a@host');
      const http: Server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      ctx.after(() => http.close());
      const port = (http.address() as { port: number }).port;
      const t0 = Date.now();
      await expect(a.connect('http@host', { address: `tcp://127.0.0.1:${port}`, timeout: 5_000 })).rejects.toBeInstanceOf(HandshakeError);
      expect(Date.now() - t0).toBeLessThan(2_000);
    });

    it('listens on IPv6 loopback and connects there, or says with a typed error that it cannot', async () => {
      let a: Transport;
      try {
        a = await node('a6@host', { listen: 'tcp://[::1]:0' });
      } catch (err) {
        // A machine without IPv6 loopback: the bind fails, and says so with the endpoint.
        expect(err).toBeInstanceOf(InvalidArgumentError);
        expect((err as Error).message).toContain('[::1]');
        return;
      }
      expect(a.address).toMatch(/^tcp:\/\/\[::1\]:\d+$/);
      const b = await node('b6@host', { listen: 'tcp://[::1]:0' });
      const rb = new EventRecorder(b);
      await a.connect(b.name);
      a.send(b.name, seqFrame(1));
      await rb.waitForFrames(1);
      expect(rb.frames()).toEqual([seqFrame(1)]);
    });
  });
  return ctx;
}
