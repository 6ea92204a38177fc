import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ControlFrame } from '@sdnode/wire';
import { seqFrame } from '../testing/compliance.js';
import { EventRecorder } from '../testing/event-recorder.js';
import { waitUntil } from '../testing/wait-until.js';
import { StaticResolver } from '../static-resolver.js';
import { ChildProcessNode } from '../zmq/fixtures/child-process-node.test-util.js';
import type { Transport } from '../transport.js';
import { ZmqTransport } from '../zmq/zmq-transport.js';
import { NetStream } from './net-stream.js';
import { NetTransport, type NetTransportOptions } from './net-transport.js';

const COOKIE = 'process-cookie';
const CHILD = 'child@host';

/** A NetTransport here, the peer in another process: on the net carrier, and (fewer cases) on libzmq. */
describePeerProcess('net', true);
describePeerProcess('zmq', false);

function describePeerProcess(childCarrier: 'net' | 'zmq', all: boolean): void {
  describe(`NetTransport with a peer process on the ${childCarrier} carrier`, () => {
    let child: ChildProcessNode | undefined;
    let local: Transport | undefined;

    afterEach(async () => {
      await child?.kill();
      await local?.close();
      child = undefined;
      local = undefined;
    });

    async function connectToChild(childOptions: Record<string, unknown>, localOptions: Partial<NetTransportOptions>) {
      child = await ChildProcessNode.start({ name: CHILD, cookie: COOKIE, carrier: childCarrier, ...childOptions });
      local = new NetTransport({ name: 'local@host', cookie: COOKIE, resolver: new StaticResolver({ [CHILD]: child.address }), ...localOptions });
      const recorder = new EventRecorder(local);
      await local.listen();
      const info = await local.connect(CHILD);
      expect(info.creation).toBe(child.creation);
      local.send(CHILD, seqFrame(1));
      await recorder.waitFor('frame', (e) => (e.frame as ControlFrame).channel === 'echo');
      return { local, recorder, child };
    }

    it('detects a killed peer through the socket close, long before a tick timeout', async () => {
      const { recorder, child } = await connectToChild({ netTickTime: 120_000 }, { netTickTime: 120_000 });
      child.signal('SIGKILL');
      const down = await recorder.waitFor('nodedown', undefined, { timeout: 5_000 });
      expect(down.reason).toEqual({ kind: 'peer_closed' });
    });

    if (!all) return;

    it('detects a frozen peer by tick timeout', async () => {
      const { local, recorder, child } = await connectToChild({ netTickTime: 400 }, { netTickTime: 400 });
      child.signal('SIGSTOP');
      const down = await recorder.waitFor('nodedown', undefined, { timeout: 5_000 });
      expect(down.reason).toEqual({ kind: 'tick_timeout' });
      expect(local.peers()).toEqual([]);
    });

    it('waits for drain when the socket is full and drops a peer that stops reading with overload', async () => {
      const maxQueueBytes = 1024 * 1024;
      const { local, recorder, child } = await connectToChild({ netTickTime: 120_000 }, { netTickTime: 120_000, maxQueueBytes, maxBatchBytes: 64 * 1024 });
      child.signal('SIGSTOP');
      const big = 'x'.repeat(32 * 1024);
      let maxQueued = 0;
      let refused = false;
      await waitUntil(
        () => {
          for (let i = 0; i < 64 && !refused; i++) {
            refused = !local.send(CHILD, { kind: 'control', channel: 'bulk', body: big });
            maxQueued = Math.max(maxQueued, local.queuedBytes(CHILD));
          }
          return refused;
        },
        { timeout: 15_000, what: 'the queue towards the stopped peer to overflow' },
      );
      const down = await recorder.waitFor('nodedown');
      expect(down.reason.kind).toBe('overload');
      expect(maxQueued).toBeLessThanOrEqual(maxQueueBytes);
      expect(local.queuedBytes(CHILD)).toBe(0);
      expect(local.stats().overloads).toBe(1);
      // The kernel and the socket hold a bounded amount: far less than what was offered.
      expect(local.stats().bytesSent).toBeLessThan(64 * 1024 * 1024);
    });
  });
}

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
