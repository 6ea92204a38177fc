import { connect, createServer, Socket, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../testing/wait-until.js';
import { adoptAccepted } from './accepted-socket.js';

const patterned = (size: number, seed: number): Buffer => {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
};

describe('adoptAccepted (onread for sockets a server accepted)', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const undo of cleanup.splice(0)) undo();
  });

  async function listen(pauseOnConnect: boolean, onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
    const server = createServer({ pauseOnConnect }, onSocket);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => server.close());
    return { server, port: (server.address() as { port: number }).port };
  }

  it('reads everything the peer sends into the one buffer, writes back, ends and closes', async () => {
    const buffer = Buffer.allocUnsafe(4096);
    const received: Buffer[] = [];
    const buffers = new Set<Uint8Array>();
    let accepted: Socket | undefined;
    let adopted: Socket | undefined;
    let closed = false;
    const { server, port } = await listen(true, (socket) => {
      accepted = socket;
      adopted = adoptAccepted(socket, buffer, (length) => {
        buffers.add(buffer);
        received.push(Buffer.from(buffer.subarray(0, length)));
      });
      adopted?.on('close', () => (closed = true));
      adopted?.write('hello');
    });
    const client = connect({ host: '127.0.0.1', port });
    cleanup.push(() => client.destroy());
    const back: Buffer[] = [];
    client.on('data', (chunk: Buffer) => back.push(chunk));
    await waitUntil(() => adopted !== undefined);
    expect(adopted).not.toBe(accepted);
    expect(accepted!.destroyed).toBe(true);
    const sent = patterned(1024 * 1024, 7); // larger than the buffer: many reads
    client.write(sent.subarray(0, 10));
    client.write(sent.subarray(10));
    await waitUntil(() => received.reduce((n, b) => n + b.byteLength, 0) === sent.byteLength);
    expect(Buffer.concat(received).equals(sent)).toBe(true);
    expect(received.length).toBeGreaterThan(1);
    expect([...buffers]).toEqual([buffer]);
    await waitUntil(() => Buffer.concat(back).toString() === 'hello');
    client.end();
    await waitUntil(() => closed);
    // the adopted socket is not in the server's count: close completes
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  it('leaves alone a socket it cannot adopt: no handle, or already reading', async () => {
    const unconnected = new Socket();
    expect(adoptAccepted(unconnected, Buffer.alloc(16), () => {})).toBeUndefined();
    expect(unconnected.destroyed).toBe(false);
    let result: Socket | undefined | null = null;
    let accepted: Socket | undefined;
    const { port } = await listen(false, (socket) => {
      accepted = socket;
      result = adoptAccepted(socket, Buffer.alloc(16), () => {});
    });
    const client = connect({ host: '127.0.0.1', port });
    cleanup.push(() => client.destroy());
    await waitUntil(() => result !== null);
    expect(result).toBeUndefined();
    expect(accepted!.destroyed).toBe(false);
    const data: Buffer[] = [];
    accepted!.on('data', (chunk: Buffer) => data.push(chunk));
    client.write('still readable');
    await waitUntil(() => Buffer.concat(data).toString() === 'still readable');
    accepted!.destroy();
  });
});
