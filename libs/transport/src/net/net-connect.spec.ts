import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Pull, curveKeyPair } from 'zeromq';
import { ConnectionRefusedError, HandshakeError, InvalidArgumentError, TimeoutError } from '@sdnode/wire';
import { seqFrame } from '../testing/compliance.js';
import { EventRecorder } from '../testing/event-recorder.js';
import { freeLoopbackEndpoint } from '../testing/loopback-endpoints.test-util.js';
import { StaticResolver } from '../static-resolver.js';
import type { Transport } from '../transport.js';
import { ZmqTransport } from '../zmq/zmq-transport.js';
import { NetTransport, type NetTransportOptions } from './net-transport.js';

const COOKIE = 'connect-cookie';

describe('NetTransport connections', () => {
  const started: Transport[] = [];
  const closers: Array<() => void> = [];
  const resolver = new StaticResolver();

  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    await Promise.all(started.splice(0).map((t) => t.close()));
  });

  async function node(name: string, extra: Partial<NetTransportOptions> = {}): Promise<NetTransport> {
    const t = new NetTransport({ name, cookie: COOKIE, resolver, ...extra });
    started.push(t);
    resolver.learn(name, await t.listen());
    return t;
  }


  it('advertises the endpoint it bound, with the port the OS chose, or the configured address', async () => {
    const a = await node('a@host');
    expect(a.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(a.address).not.toBe('tcp://127.0.0.1:0');
    const b = await node('b@host', { advertise: 'tcp://node-b.example:4370' });
    expect(b.address).toBe('tcp://node-b.example:4370');
  });

  it('refuses a wildcard listen without advertise, a malformed endpoint and a curve option', async () => {
    await expect(new NetTransport({ name: 'w@host', cookie: COOKIE, listen: 'tcp://0.0.0.0:0' }).listen()).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(new NetTransport({ name: 'w@host', cookie: COOKIE, listen: 'tcp://*:0' }).listen()).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(new NetTransport({ name: 'w@host', cookie: COOKIE, listen: 'ipc:///tmp/x' }).listen()).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(new NetTransport({ name: 'w@host', cookie: COOKIE, listen: 'tcp://127.0.0.1:99999' }).listen()).rejects.toBeInstanceOf(InvalidArgumentError);
    const wildcard = await node('wild@host', { listen: 'tcp://0.0.0.0:0', advertise: 'tcp://127.0.0.1:4999' });
    expect(wildcard.address).toBe('tcp://127.0.0.1:4999');
    expect(() => new NetTransport({ name: 'c@host', cookie: COOKIE, ...({ curve: curveKeyPair() } as object) })).toThrow(InvalidArgumentError);
  });

  it('fails to bind an endpoint in use with an InvalidArgumentError', async () => {
    const a = await node('a@host');
    await expect(new NetTransport({ name: 'b@host', cookie: COOKIE, listen: a.address! }).listen()).rejects.toBeInstanceOf(InvalidArgumentError);
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
    const late = new NetTransport({ name: 'late@host', cookie: COOKIE, listen: endpoint, resolver });
    started.push(late);
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
    const twin = new NetTransport({ name: 'same@host', cookie: COOKIE, resolver });
    started.push(twin);
    await twin.listen();
    await expect(twin.connect('other@host', { address: a.address!, timeout: 2_000 })).rejects.toBeInstanceOf(ConnectionRefusedError);
    expect(a.stats().handshakesRefused).toBe(1);
  });

  it('fails at once with a HandshakeError when the address speaks another protocol or a wrong ZMTP socket type', async () => {
    const a = await node('a@host');
    const http: Server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    closers.push(() => http.close());
    const port = (http.address() as { port: number }).port;
    const t0 = Date.now();
    await expect(a.connect('http@host', { address: `tcp://127.0.0.1:${port}`, timeout: 5_000 })).rejects.toBeInstanceOf(HandshakeError);
    const pull = new Pull({ linger: 0 });
    closers.push(() => pull.close());
    await pull.bind('tcp://127.0.0.1:0');
    await expect(a.connect('pull@host', { address: pull.lastEndpoint!, timeout: 5_000 })).rejects.toBeInstanceOf(HandshakeError);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('never comes up with a CurveZMQ node (no clear text to an encrypted cluster)', async () => {
    const secure = new ZmqTransport({ name: 'secure@host', cookie: COOKIE, resolver, curve: curveKeyPair() });
    started.push(secure);
    resolver.learn(secure.name, await secure.listen());
    const plain = await node('plain@host');
    const rs = new EventRecorder(secure);
    await expect(plain.connect(secure.name, { timeout: 1_000 })).rejects.toThrow();
    await expect(secure.connect(plain.name, { timeout: 1_000 })).rejects.toBeInstanceOf(HandshakeError);
    expect(rs.of('nodeup')).toEqual([]);
    expect(plain.peers()).toEqual([]);
  });

  it('listens on IPv6 loopback and connects there', async () => {
    let a: NetTransport;
    try {
      a = await node('a6@host', { listen: 'tcp://[::1]:0' });
    } catch {
      return; // no IPv6 on this machine
    }
    expect(a.address).toMatch(/^tcp:\/\/\[::1\]:\d+$/);
    const b = await node('b6@host', { listen: 'tcp://[::1]:0' });
    const rb = new EventRecorder(b);
    await a.connect(b.name);
    a.send(b.name, seqFrame(1));
    await rb.waitForFrames(1);
  });
});
