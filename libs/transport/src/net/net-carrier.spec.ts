import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../testing/wait-until.js';
import type { CarrierSink } from '../engine/carrier.js';
import { NetCarrier } from './net-carrier.js';
import type { NetStream } from './net-stream.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Received {
  readonly id: string;
  readonly bytes: string;
  readonly buffer: ArrayBufferLike;
}

function recordingSink(received: Received[]): CarrierSink {
  return {
    // copied at once: the payload is a view of the connection's read buffer, valid during the call
    inbound: (id, payload) => received.push({ id, bytes: Buffer.from(payload as Uint8Array).toString('hex'), buffer: (payload as Uint8Array).buffer }),
    malformed: () => {},
  };
}

describe('NetCarrier inbound reads', () => {
  const carriers: NetCarrier[] = [];
  afterEach(async () => {
    await Promise.all(carriers.splice(0).map((c) => c.close()));
  });

  function carrier(sink: CarrierSink): NetCarrier {
    const made = new NetCarrier({ listen: 'tcp://127.0.0.1:0', hardMessageLimit: 1 << 20, handshakeTimeout: 2_000, logger }, sink);
    carriers.push(made);
    return made;
  }

  it('reads a server-accepted connection into one reused buffer (onread), batches of every size intact', async () => {
    const received: Received[] = [];
    const server = carrier(recordingSink(received));
    const address = await server.listen();
    const client = carrier(recordingSink([]));
    await client.listen();
    const stream = (await client.dial(address, { node: 'server@127.0.0.1', deadline: Date.now() + 5_000, signal: new AbortController().signal, onClosed: () => {} })) as NetStream;
    const slab = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13) & 0xff));
    const sent: string[] = [];
    const sizes = [1, 150, 150, 255, 256, 5_000, 66_000, 150];
    for (const [i, size] of sizes.entries()) {
      // one batch at a time, so that every batch is a read of its own
      if (i % 2 === 0) await stream.write(slab.subarray(i, i + size));
      else await stream.writeRangeNow(slab, i, i + size);
      sent.push(slab.subarray(i, i + size).toString('hex'));
      await waitUntil(() => received.length === sent.length);
    }
    expect(received.map((r) => r.bytes)).toEqual(sent);
    expect(new Set(received.map((r) => r.id))).toEqual(new Set([stream.id]));
    // the short batches, each read whole at the start of the connection's read buffer, share its
    // memory (but the first, which may come in the same read as the peer's READY: copied then)
    const short = received.slice(1).filter((r) => r.bytes.length / 2 <= 255);
    expect(short.length).toBeGreaterThan(2);
    expect(new Set(short.map((r) => r.buffer)).size).toBe(1);
  });

  it('closes with accepted connections open, and refuses what follows', async () => {
    const server = carrier(recordingSink([]));
    const address = await server.listen();
    const client = carrier(recordingSink([]));
    await client.listen();
    let lost = false;
    await client.dial(address, { node: 'server@127.0.0.1', deadline: Date.now() + 5_000, signal: new AbortController().signal, onClosed: () => (lost = true) });
    await server.close();
    await waitUntil(() => lost);
  });
});
