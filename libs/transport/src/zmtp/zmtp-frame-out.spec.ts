import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../testing/wait-until.js';
import { ZmtpConnection } from './zmtp-connection.js';
import { ZmtpFrameOut } from './zmtp-frame-out.js';

const patterned = (size: number, seed: number): Buffer => {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
};

describe('ZmtpFrameOut', () => {
  it('copies every short range, at every alignment, behind a short header', () => {
    const out = new ZmtpFrameOut();
    const slab = patterned(1024, 3);
    for (let size = 0; size <= 255; size++) {
      for (const from of [0, 1, 2, 3, 5, 700]) {
        for (const idle of [true, false]) {
          const bytes = out.shortFrom(slab, from, from + size, idle);
          expect(bytes.byteLength).toBe(2 + size);
          expect([bytes[0], bytes[1]]).toEqual([0, size]);
          expect(bytes.subarray(2).equals(slab.subarray(from, from + size))).toBe(true);
        }
      }
    }
  });

  it('reads a range of a view by its own offsets (a slab view that does not start its ArrayBuffer)', () => {
    const out = new ZmtpFrameOut();
    const backing = patterned(4096, 9);
    const view = backing.subarray(100, 900);
    const bytes = out.shortFrom(view, 7, 160, true);
    expect(bytes.subarray(2).equals(backing.subarray(107, 260))).toBe(true);
  });

  it('hands out its one reusable buffer only when idle, a fresh one otherwise', () => {
    const out = new ZmtpFrameOut();
    const a = out.short(10, true);
    const b = out.short(20, true);
    expect(a.buffer).toBe(b.buffer);
    expect(out.short(10, true)).toBe(a);
    const busy = out.short(10, false);
    expect(busy.buffer).not.toBe(a.buffer);
    expect(busy.byteLength).toBe(12);
  });
});

describe('ZmtpConnection short frames (reused write buffer)', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const undo of cleanup.splice(0)) undo();
  });

  async function pair(): Promise<{ dealer: ZmtpConnection; routerSocket: Socket; received: Buffer[] }> {
    const received: Buffer[] = [];
    let routerSocket: Socket | undefined;
    let routerReady = false;
    const server: Server = createServer((socket) => {
      routerSocket = socket;
      new ZmtpConnection(socket, { socketType: 'ROUTER', maxMessageBytes: 1 << 26, handshakeTimeout: 5_000 }, {
        ready: () => (routerReady = true),
        frame: (body) => received.push(Buffer.from(body)),
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    let dealerReady = false;
    const socket = connect({ host: '127.0.0.1', port });
    const dealer = new ZmtpConnection(socket, { socketType: 'DEALER', identity: Buffer.from('d'), maxMessageBytes: 1 << 20, handshakeTimeout: 5_000 }, { ready: () => (dealerReady = true) });
    cleanup.push(() => {
      dealer.destroy();
      routerSocket?.destroy();
      server.close();
    });
    await waitUntil(() => dealerReady && routerReady);
    return { dealer, routerSocket: routerSocket!, received };
  }

  it('sends short frames and ranges intact, one after another', async () => {
    const { dealer, received } = await pair();
    const slab = patterned(4096, 1);
    const expected: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const size = (i * 37) % 256;
      const from = (i * 13) % 3000;
      if (i % 2 === 0) dealer.sendFrameRange(slab, from, from + size);
      else dealer.sendFrame(slab.subarray(from, from + size));
      expected.push(Buffer.from(slab.subarray(from, from + size)));
    }
    await waitUntil(() => received.length === expected.length);
    expect(received.map((b) => b.toString('hex'))).toEqual(expected.map((b) => b.toString('hex')));
  });

  it('never reuses the buffer of a write the socket still holds (a peer that stopped reading)', async () => {
    const { dealer, routerSocket, received } = await pair();
    routerSocket.pause();
    // fill the kernel's buffers, so that the next writes wait in the socket
    dealer.sendFrame(patterned(8 * 1024 * 1024, 5));
    expect(dealer.socket.writableLength).toBeGreaterThan(0);
    const slab = patterned(4096, 2);
    const expected: string[] = [];
    for (let i = 0; i < 200; i++) {
      const size = 100 + (i % 50);
      dealer.sendFrameRange(slab, i, i + size);
      expected.push(slab.subarray(i, i + size).toString('hex'));
    }
    routerSocket.resume();
    await waitUntil(() => received.length === 201, { timeout: 10_000 });
    expect(received.slice(1).map((b) => b.toString('hex'))).toEqual(expected);
  });
});
