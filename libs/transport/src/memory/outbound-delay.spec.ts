import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, type ControlFrame } from '@sdnode/wire';
import { EventRecorder } from '../testing/event-recorder.js';
import { waitUntil } from '../testing/wait-until.js';
import type { Transport } from '../transport.js';
import { MemoryNetwork } from './memory-network.js';
import { MemoryTransport, type MemoryTransportOptions } from './memory-transport.js';

/** Generous: a loaded CI machine may stall a timer, never fire it early. */
const SLACK_MS = 1_000;

const ping = (seq: number): ControlFrame => ({ kind: 'control', channel: 'ping', body: seq });

/** `node` answers every `ping` frame with a `pong` carrying the same number. */
function echo(node: Transport): void {
  node.on('frame', (peer, frame) => {
    if (frame.kind === 'control' && frame.channel === 'ping') node.send(peer.name, { kind: 'control', channel: 'pong', body: frame.body });
  });
}

/** Pongs `from` received from `of`, with the time each arrived (performance.now). */
function pongTimes(from: Transport, of: string): Map<number, number> {
  const arrived = new Map<number, number>();
  from.on('frame', (peer, frame) => {
    if (peer.name === of && frame.kind === 'control' && frame.channel === 'pong') arrived.set(frame.body as number, performance.now());
  });
  return arrived;
}

describe('the outbound delay (setOutboundDelay) over MemoryTransport', () => {
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

  /** a and b connected; b echoes pings; `rtt(seq)` is one round trip a -> b -> a in ms. */
  async function pair(extra: Partial<MemoryTransportOptions> = {}) {
    const network = new MemoryNetwork();
    const a = await node(network, 'a@mem', extra);
    const b = await node(network, 'b@mem', extra);
    echo(b);
    const pongs = pongTimes(a, b.name);
    await a.connect(b.name);
    await waitUntil(() => b.peer(a.name) !== undefined, { what: 'b to see a up' });
    let next = 0;
    const rtt = async (): Promise<number> => {
      const seq = next++;
      const sent = performance.now();
      a.send(b.name, ping(seq));
      await waitUntil(() => pongs.has(seq), { what: `pong ${seq}`, interval: 1 });
      return pongs.get(seq)! - sent;
    };
    return { a, b, pongs, rtt, ping: (seq: number) => a.send(b.name, ping(seq)) };
  }

  for (const encode of [false, true]) {
    it(`makes a round trip to a delayed node take the delay longer, and lifting it brings it back${encode ? ' (encode: true)' : ''}`, async () => {
      const { b, rtt } = await pair({ encode });
      const DELAY = 50;
      expect(b.outboundDelay).toBe(0);
      const before = await rtt();
      b.setOutboundDelay(DELAY);
      expect(b.outboundDelay).toBe(DELAY);
      for (let i = 0; i < 5; i++) {
        const during = await rtt();
        expect(during).toBeGreaterThanOrEqual(DELAY);
        expect(during).toBeLessThan(before + DELAY + SLACK_MS);
      }
      b.setOutboundDelay(0);
      expect(b.outboundDelay).toBe(0);
      // Back to an undelayed round trip (tried until one is, with a deadline: no fixed sleep).
      const deadline = Date.now() + 5_000;
      let after = await rtt();
      while (after >= DELAY && Date.now() < deadline) after = await rtt();
      expect(after).toBeLessThan(DELAY);
    });
  }

  it('holds every frame for the delay and keeps their order, across batches and macrotasks', async () => {
    const { a, b, pongs, ping: send } = await pair();
    const DELAY = 30;
    b.setOutboundDelay(DELAY);
    const sentAt = new Map<number, number>();
    const order: number[] = [];
    a.on('frame', (peer, frame) => {
      if (peer.name === b.name && frame.kind === 'control' && frame.channel === 'pong') order.push(frame.body as number);
    });
    // Several bursts from several macrotasks: b answers each in the macrotask the ping arrives in.
    let seq = 0;
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 50; i++) {
        sentAt.set(seq, performance.now());
        send(seq++);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(() => pongs.size === seq, { what: `${seq} pongs`, timeout: 10_000 });
    expect(order).toEqual(Array.from({ length: seq }, (_, i) => i));
    for (const [n, at] of pongs) expect(at - sentAt.get(n)!).toBeGreaterThanOrEqual(DELAY);
    // Batched: far fewer batches than frames left b (one stamp and one timer per flush, not per frame).
    expect(b.stats().batchesSent).toBeLessThan(b.stats().framesSent / 5);
  });

  it('delays handshakes too: connecting to or from a delayed node takes at least the delay', async () => {
    const network = new MemoryNetwork();
    const a = await node(network, 'a@mem');
    const b = await node(network, 'b@mem');
    const c = await node(network, 'c@mem');
    b.setOutboundDelay(40);
    let t0 = performance.now();
    await a.connect(b.name); // b's CHALLENGE is held
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
    t0 = performance.now();
    await b.connect(c.name); // b's HELLO is held
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
  });

  it('lifting the delay sends what is held at once, in order, before what is sent afterwards', async () => {
    const { a, b } = await pair();
    const ra = new EventRecorder(a);
    b.setOutboundDelay(600_000);
    for (let i = 0; i < 5; i++) b.send(a.name, { kind: 'control', channel: 'seq', body: i });
    await waitUntil(() => b.queuedBytes(a.name) > 0, { what: 'the frames held on b' });
    expect(ra.frames()).toEqual([]);
    b.setOutboundDelay(0);
    for (let i = 5; i < 10; i++) b.send(a.name, { kind: 'control', channel: 'seq', body: i });
    await ra.waitForFrames(10, { timeout: 5_000 });
    expect(ra.frames().map((f) => (f as ControlFrame).body)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    await waitUntil(() => b.queuedBytes(a.name) === 0, { what: 'nothing held any more' });
  });

  it('drops the held frames with their connection, counted', async () => {
    const { a, b } = await pair();
    b.setOutboundDelay(600_000);
    const dropped = b.stats().framesDropped;
    for (let i = 0; i < 3; i++) b.send(a.name, { kind: 'control', channel: 'seq', body: i });
    await waitUntil(() => b.queuedBytes(a.name) > 0, { what: 'the frames held on b' });
    b.disconnect(a.name);
    expect(b.stats().framesDropped).toBe(dropped + 3);
    expect(b.queuedBytes(a.name)).toBe(0);
  });

  it('rejects a negative, non-finite or too large delay with InvalidArgumentError and keeps the one in force', async () => {
    const network = new MemoryNetwork();
    const a = await node(network, 'a@mem');
    a.setOutboundDelay(10);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '5' as unknown as number]) {
      expect(() => a.setOutboundDelay(bad)).toThrow(InvalidArgumentError);
    }
    expect(a.outboundDelay).toBe(10);
  });

  it('a new incarnation of a delayed node starts without a delay', async () => {
    const network = new MemoryNetwork();
    const first = await node(network, 'a@mem', { creation: 1 });
    first.setOutboundDelay(100);
    await first.close();
    const second = await node(network, 'a@mem', { creation: 2 });
    expect(second.outboundDelay).toBe(0);
  });
});
