import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../testing/wait-until.js';
import { silentLogger } from '../rate-limited-log.js';
import { LivenessChannel } from './liveness-channel.js';

const COOKIE = 'liveness-cookie';
const INTERVAL = 50;

/** A free TCP port number on loopback (the channel binds UDP at the TCP listen port's number). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('LivenessChannel', () => {
  const started: LivenessChannel[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((c) => c.close()));
  });

  async function channel(name: string, creation: number, maxUnresponsive = 1_000, cookie = COOKIE) {
    const port = await freePort();
    const address = `tcp://127.0.0.1:${port}`;
    const c = LivenessChannel.start({ config: { maxUnresponsive, listen: 'tcp://127.0.0.1:0' }, name, creation, cookie, address, interval: INTERVAL, logger: silentLogger })!;
    started.push(c);
    await waitUntil(() => c.isRunning, { what: `${name}'s side-channel to bind` });
    return { c, address, peer: { peerName: name, peerCreation: creation, peerAddress: address } };
  }

  it('carries vouches between two channels, checked and tied to the incarnation', async () => {
    const a = await channel('a@host', 11);
    const b = await channel('b@host', 22);
    a.c.update(Date.now() - 600, [b.peer]); // a's main thread last ran 600 ms ago (busy, within the bound)
    b.c.update(Date.now(), [a.peer]);
    const since = Date.now();
    await waitUntil(() => (b.c.lastHeard('a@host') ?? 0) > since && a.c.lastHeard('b@host') !== undefined, { what: 'vouches both ways' });
    const now = Date.now();
    // a's silence of 1.5 x the tick time is explained by its blocked main thread.
    expect(b.c.vouches('a@host', 11, now, 1_500, 1_000)).toBe(true);
    expect(b.c.vouches('a@host', 12, now, 1_500, 1_000)).toBe(false); // another incarnation
    // b's main thread runs: its vouches excuse no silence much beyond the tick time.
    expect(a.c.vouches('b@host', 22, now, 1_000, 1_000)).toBe(true);
    expect(a.c.vouches('b@host', 22, now, 1_500, 1_000)).toBe(false);
  });

  it('stops vouching once the main thread has not run for maxUnresponsive', async () => {
    const a = await channel('a@host', 11, 200);
    const b = await channel('b@host', 22);
    a.c.update(Date.now() - 10_000, [b.peer]); // a heartbeat far older than the bound
    b.c.update(Date.now(), [a.peer]);
    await waitUntil(() => a.c.lastHeard('b@host') !== undefined, { what: 'b to vouch' });
    const since = Date.now();
    await waitUntil(() => (a.c.lastHeard('b@host') ?? 0) > since + 4 * INTERVAL, { what: 'b to keep vouching a while' });
    expect(b.c.lastHeard('a@host')).toBeUndefined();
  });

  it('counts forged and malformed datagrams and ignores them', async () => {
    const b = await channel('b@host', 22);
    const forger = await channel('a@host', 11, 1_000, 'another-cookie');
    forger.c.update(Date.now(), [b.peer]);
    const port = Number(b.address.split(':').at(-1));
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.send('not json', port, '127.0.0.1', () => resolve()));
    socket.close();
    b.c.update(Date.now(), []);
    await waitUntil(() => b.c.badCount >= 2, { what: 'the bad datagrams to be counted' });
    expect(b.c.lastHeard('a@host')).toBeUndefined();
  });
});
