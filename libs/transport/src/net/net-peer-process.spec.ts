import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ControlFrame } from '@sdnode/wire';
import { EventRecorder } from '../testing/event-recorder.js';
import { peerProcessSuite } from '../testing/peer-process.test-util.js';
import { StaticResolver } from '../static-resolver.js';
import type { Transport } from '../transport.js';
import { ZmqTransport } from '../zmq/zmq-transport.js';
import { NetStream } from './net-stream.js';
import { NetTransport } from './net-transport.js';

const COOKIE = 'process-cookie';

/** A NetTransport here, the peer in another process: on the net carrier, and (the kill case) on libzmq. */
peerProcessSuite('NetTransport', (options) => new NetTransport(options), { childCarrier: 'net' });
peerProcessSuite('NetTransport', (options) => new NetTransport(options), { childCarrier: 'zmq', killOnly: true });

describe('NetTransport writer under backpressure', () => {
  const started: Transport[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.close()));
  });

  it('delivers everything in order when the sender outruns the socket (write returns false, then drain)', async () => {
    const resolver = new StaticResolver();
    const a = new NetTransport({ name: 'a@host', cookie: COOKIE, resolver, maxBatchBytes: 64 * 1024 });
    const b = new ZmqTransport({ name: 'b@host', cookie: COOKIE, resolver });
    started.push(a, b);
    resolver.learn(a.name, await a.listen());
    resolver.learn(b.name, await b.listen());
    const rb = new EventRecorder(b);
    await a.connect(b.name);
    const drains = vi.spyOn(NetStream.prototype, 'drained');
    try {
      const body = 'y'.repeat(4096);
      for (let i = 0; i < 3000; i++) {
        a.send(b.name, { kind: 'control', channel: 'flood', body: `${i}:${body}` });
        if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      }
      await rb.waitForFrames(3000, { timeout: 20_000 });
      // A batch above the socket's high-water mark makes write() return false: the writer waited for drain.
      expect(drains.mock.calls.length).toBeGreaterThan(0);
    } finally {
      drains.mockRestore();
    }
    expect(rb.frames().map((f) => Number(String((f as ControlFrame).body).split(':')[0]))).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(a.queuedBytes(b.name)).toBe(0);
  });
});
