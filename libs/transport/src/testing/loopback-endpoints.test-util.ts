import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';

/**
 * Loopback endpoints for connection tests (test utility, shared by the carriers' specs).
 *
 * A port the OS hands out for port 0 is an ephemeral one; dialing it while nobody listens can make
 * the kernel pick the same port as the source and connect the socket to itself, and then nobody
 * else can bind it. So these endpoints use ports below the ephemeral range, checked free by binding
 * them once with node:net and waiting for the close (a zeromq socket's close unbinds later, on its
 * I/O thread, and the next bind of the same port could still fail).
 */
export async function freeLoopbackEndpoint(): Promise<string> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const low = Number(range.trim().split(/\s+/)[0]) || 32768;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + randomInt(Math.max(1, low - 10_000));
    const probe: Server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!free) continue;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return `tcp://127.0.0.1:${port}`;
  }
  throw new Error('no free port below the ephemeral range');
}
