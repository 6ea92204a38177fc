import { describe, expect, it, afterEach } from 'vitest';
import { NotSendableError } from '@sdnode/wire';
import { EventRecorder } from '../testing/event-recorder.js';
import { seqFrame } from '../testing/compliance.js';
import { waitUntil } from '../testing/wait-until.js';
import type { MemoryTransportOptions } from './memory-transport.js';
import { MemoryNetwork } from './memory-network.js';
import { MemoryTransport } from './memory-transport.js';

describe('MemoryNetwork fault hooks', () => {
  const started: MemoryTransport[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.close()));
  });

  async function node(network: MemoryNetwork, name: string, extra: Partial<MemoryTransportOptions> = {}): Promise<MemoryTransport> {
    const t = new MemoryTransport({ name, cookie: 'c', network, ...extra });
    started.push(t);
    await t.listen();
    return t;
  }

  async function connected(network: MemoryNetwork, extra: Partial<MemoryTransportOptions> = {}) {
    const a = await node(network, 'a@mem', extra);
    const b = await node(network, 'b@mem', extra);
    const ra = new EventRecorder(a);
    const rb = new EventRecorder(b);
    await a.connect(b.name);
    await rb.waitFor('nodeup');
    return { a, b, ra, rb };
  }

  it('a partition takes the connection down on both sides and blocks reconnects until healed', async () => {
    const network = new MemoryNetwork();
    const { a, b, ra, rb } = await connected(network, { handshakeTimeout: 200 });
    network.partition(a.name, b.name);
    expect((await ra.waitFor('nodedown')).reason).toEqual({ kind: 'peer_closed' });
    expect((await rb.waitFor('nodedown')).reason).toEqual({ kind: 'peer_closed' });
    await expect(a.connect(b.name)).rejects.toThrow(/timed out/);
    network.heal(a.name, b.name);
    await a.connect(b.name);
    expect(a.peer(b.name)).toBeDefined();
  });

  it('a killed node goes silent while its peers see peer_closed at once', async () => {
    const network = new MemoryNetwork();
    const { a, b, ra, rb } = await connected(network);
    network.kill(b.name);
    expect((await ra.waitFor('nodedown')).reason).toEqual({ kind: 'peer_closed' });
    expect(b.send(a.name, seqFrame(1))).toBe(false);
    expect(rb.of('nodedown')).toEqual([]);
    expect(network.nodes()).toEqual([a.name]);
  });

  it('a killed node restarted under its name connects at once to a peer still dialling its dead address', async () => {
    const network = new MemoryNetwork();
    const a = await node(network, 'a@mem');
    const c1 = await node(network, 'c@mem', { creation: 1 });
    await a.connect(c1.name);
    const deadAddress = c1.address!;
    const ra = new EventRecorder(a);
    network.kill(c1.name);
    await ra.waitFor('nodedown');
    // a's attempt dials the dead incarnation (no timeout: it would run for the 7 s handshake timeout);
    // a smaller name, so before the fix its attempt won the tie-break against c's HELLO.
    const pending = a.connect(c1.name, { address: deadAddress });
    const joined = a.connect(c1.name, { address: deadAddress });
    expect(a.send(c1.name, seqFrame(1))).toBe(true); // held by the pending attempt
    await new Promise((resolve) => setTimeout(resolve, 100));
    const c2 = await node(network, 'c@mem', { creation: 2 });
    const rc = new EventRecorder(c2);
    const startedAt = Date.now();
    const info = await c2.connect(a.name);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(info.name).toBe(a.name);
    expect((await pending).creation).toBe(2);
    expect((await joined).creation).toBe(2);
    await rc.waitForFrames(1);
    expect(rc.frames()).toEqual([seqFrame(1)]);
    expect(ra.of('nodeup').map((e) => e.peer.creation)).toEqual([2]);
    expect(rc.of('nodeup')).toHaveLength(1);
    expect([...ra.of('connectfailed'), ...rc.of('connectfailed'), ...rc.of('nodedown')]).toEqual([]);
    expect(a.stats().badFrames + c2.stats().badFrames).toBe(0);
  });

  it('a frozen node is declared down by tick timeout, and frames wait until it thaws', async () => {
    const network = new MemoryNetwork();
    const { a, b, ra, rb } = await connected(network, { netTickTime: 200 });
    a.send(b.name, seqFrame(1));
    await rb.waitForFrames(1);
    network.freeze(b.name);
    a.send(b.name, seqFrame(2));
    const down = await ra.waitFor('nodedown', undefined, { timeout: 3_000 });
    expect(down.reason).toEqual({ kind: 'tick_timeout' });
    expect(rb.frames()).toHaveLength(1);
    network.thaw(b.name);
    // b now learns its stream to a is gone: the frozen side sees the connection drop too.
    expect((await rb.waitFor('nodedown')).reason.kind).toBe('peer_closed');
  });

  it('drops the connection with overload when a frozen peer lets the queue exceed its bound', async () => {
    const network = new MemoryNetwork();
    const { a, b, ra } = await connected(network, { maxQueueBytes: 64 * 1024, netTickTime: 60_000 });
    network.freeze(b.name);
    let accepted = 0;
    let refused = false;
    await waitUntil(
      () => {
        for (let i = 0; i < 500 && !refused; i++) {
          if (a.send(b.name, seqFrame(i))) accepted++;
          else refused = true;
        }
        return refused;
      },
      { what: 'the overload', timeout: 5_000 },
    );
    const down = await ra.waitFor('nodedown');
    expect(down.reason.kind).toBe('overload');
    expect(a.stats().overloads).toBe(1);
    expect(a.queuedBytes(b.name)).toBe(0);
    expect(accepted).toBeGreaterThan(0);
    network.thaw(b.name);
  });

  it('with encode: true, send throws NotSendableError for a value that cannot travel and queues nothing', async () => {
    const network = new MemoryNetwork();
    const { a, b, rb } = await connected(network, { encode: true });
    const bad = { kind: 'control', channel: 'x', body: { f: () => 1 } } as never;
    expect(() => a.send(b.name, bad)).toThrow(NotSendableError);
    expect(a.send(b.name, seqFrame(7))).toBe(true);
    await rb.waitForFrames(1);
    expect(rb.frames()).toEqual([seqFrame(7)]);
  });

  it('without encode, a null frame from a peer is counted as bad input and never throws', async () => {
    const network = new MemoryNetwork();
    const { a, b, rb } = await connected(network);
    expect(a.send(b.name, seqFrame(1))).toBe(true);
    await rb.waitForFrames(1);
    expect(a.send(b.name, null as never)).toBe(true);
    // As for a batch that fails to decode: counted, and the connection goes down (protocol_error).
    const down = await rb.waitFor('nodedown');
    expect(down.reason.kind).toBe('protocol_error');
    expect(b.stats().badFrames).toBe(1);
    expect(rb.frames()).toEqual([seqFrame(1)]);
  });

  it('never delivers inside send: frames arrive asynchronously', async () => {
    const network = new MemoryNetwork();
    const { a, b, rb } = await connected(network);
    a.send(b.name, seqFrame(1));
    expect(rb.frames()).toEqual([]);
    await rb.waitForFrames(1);
  });
});
