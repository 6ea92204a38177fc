import { afterEach, describe, expect, it } from 'vitest';
import { Router, curveKeyPair } from 'zeromq';
import { ConnectionRefusedError, HandshakeError, InvalidArgumentError, TimeoutError } from '@sdnode/wire';
import { seqFrame } from '../testing/compliance.js';
import { EventRecorder } from '../testing/event-recorder.js';
import { freeLoopbackEndpoint } from '../testing/loopback-endpoints.test-util.js';
import { StaticResolver } from '../static-resolver.js';
import { ZmqTransport, type ZmqTransportOptions } from './zmq-transport.js';

const COOKIE = 'connect-cookie';

describe('ZmqTransport connections', () => {
  const started: ZmqTransport[] = [];
  const resolver = new StaticResolver();

  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.close()));
  });

  async function node(name: string, extra: Partial<ZmqTransportOptions> = {}): Promise<ZmqTransport> {
    const t = new ZmqTransport({ name, cookie: COOKIE, resolver, ...extra });
    started.push(t);
    resolver.learn(name, await t.listen());
    return t;
  }


  it('advertises the endpoint it bound, with the port the OS chose', async () => {
    const a = await node('a@host');
    expect(a.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(a.address).not.toBe('tcp://127.0.0.1:0');
  });

  it('advertises the configured address instead when given', async () => {
    const a = await node('a@host', { advertise: 'tcp://node-a.example:4370' });
    expect(a.address).toBe('tcp://node-a.example:4370');
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
    const late = new ZmqTransport({ name: 'late@host', cookie: COOKIE, listen: endpoint, resolver });
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
    const twin = new ZmqTransport({ name: 'same@host', cookie: COOKIE, resolver });
    started.push(twin);
    await twin.listen();
    await expect(twin.connect('same@host')).rejects.toBeInstanceOf(InvalidArgumentError);
    // The twin dials a's address: a refuses the HELLO that carries its own name and says so.
    await expect(twin.connect('other@host', { address: a.address!, timeout: 2_000 })).rejects.toBeInstanceOf(ConnectionRefusedError);
    expect(a.stats().handshakesRefused).toBe(1);
    expect(a.peers()).toEqual([]);
  });

  it('connects two curve nodes that share the cluster keypair and exchanges frames', async () => {
    const curve = curveKeyPair();
    const a = await node('a@host', { curve });
    const b = await node('b@host', { curve });
    const rb = new EventRecorder(b);
    await a.connect(b.name);
    a.send(b.name, seqFrame(1));
    await rb.waitForFrames(1);
    expect(rb.frames()).toEqual([seqFrame(1)]);
  });

  it('does not let a node without curve reach a curve node, nor the other way round', async () => {
    const curve = curveKeyPair();
    const secure = await node('secure@host', { curve });
    const plain = await node('plain@host');
    const rs = new EventRecorder(secure);
    await expect(plain.connect(secure.name, { timeout: 2_000 })).rejects.toBeInstanceOf(HandshakeError);
    await expect(secure.connect(plain.name, { timeout: 2_000 })).rejects.toBeInstanceOf(HandshakeError);
    expect(rs.of('nodeup')).toEqual([]);
    expect(secure.peers()).toEqual([]);
    expect(plain.peers()).toEqual([]);
  });

  it('does not let a curve node with another keypair in', async () => {
    const a = await node('a@host', { curve: curveKeyPair() });
    const b = await node('b@host', { curve: curveKeyPair() });
    await expect(a.connect(b.name, { timeout: 2_000 })).rejects.toThrow();
    expect(b.peers()).toEqual([]);
  });
});
