import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError, BadCookieError, InvalidArgumentError, ConnectionRefusedError, NodeStoppedError, UnresolvableNodeError, type ControlFrame } from '@sdnode/wire';
import type { Transport, TransportOptions } from '../transport.js';
import { EventRecorder } from './event-recorder.js';
import { waitUntil } from './wait-until.js';

/** Options of one node started by a compliance cluster (the transport options minus plumbing). */
export type ComplianceNodeOptions = Pick<TransportOptions, 'name' | 'creation' | 'hidden' | 'netTickTime' | 'handshakeTimeout' | 'accept' | 'maxQueueBytes'> & {
  readonly cookie?: string;
};

/**
 * A set of transports that can reach each other by name (a shared network or resolver).
 * `start` creates a transport, makes it listen and makes its address resolvable by the others.
 * `dispose` closes everything the cluster started.
 */
export interface ComplianceCluster {
  start(options: ComplianceNodeOptions): Promise<Transport>;
  dispose(): Promise<void>;
}

export type ComplianceFactory = () => ComplianceCluster | Promise<ComplianceCluster>;

export const COMPLIANCE_COOKIE = 'compliance-cookie';

/** A distribution frame carrying a sequence number. */
export function seqFrame(seq: number, channel = 'test'): ControlFrame {
  return { kind: 'control', channel, body: seq };
}

function seqOf(frame: unknown): number {
  return (frame as ControlFrame).body as number;
}

/**
 * Registers the transport compliance suite (vitest) for one implementation. Every Transport must
 * pass it: MemoryTransport and ZmqTransport both run it.
 */
export function transportCompliance(label: string, factory: ComplianceFactory): void {
  describe(`${label} (transport compliance)`, () => {
    let cluster: ComplianceCluster | undefined;
    const start = async (options: ComplianceNodeOptions): Promise<Transport> => {
      cluster ??= await factory();
      return cluster.start({ cookie: COMPLIANCE_COOKIE, ...options });
    };
    const pair = async (extra: Partial<ComplianceNodeOptions> = {}): Promise<[Transport, Transport, EventRecorder, EventRecorder]> => {
      const a = await start({ name: 'a@host', ...extra });
      const b = await start({ name: 'b@host', ...extra });
      return [a, b, new EventRecorder(a), new EventRecorder(b)];
    };

    afterEach(async () => {
      await cluster?.dispose();
      cluster = undefined;
    });

    it('connects two nodes and reports nodeup with the peer creation on both sides', async () => {
      const [a, b, ra, rb] = await pair({ hidden: false });
      const info = await a.connect(b.name);
      expect(info.name).toBe(b.name);
      expect(info.creation).toBe(b.creation);
      expect(info.hidden).toBe(false);
      const upAtB = await rb.waitFor('nodeup');
      expect(upAtB.peer.name).toBe(a.name);
      expect(upAtB.peer.creation).toBe(a.creation);
      expect(ra.of('nodeup')).toHaveLength(1);
      expect(a.peers().map((p) => p.name)).toEqual([b.name]);
      expect(b.peer(a.name)?.epoch).toBe(upAtB.peer.epoch);
      expect(await a.connect(b.name)).toEqual(info);
    });

    it('reports a hidden peer as hidden', async () => {
      const a = await start({ name: 'a@host', hidden: true });
      const b = await start({ name: 'b@host' });
      const rb = new EventRecorder(b);
      const info = await a.connect(b.name);
      expect(info.hidden).toBe(false);
      expect((await rb.waitFor('nodeup')).peer.hidden).toBe(true);
    });

    it('delivers 10000 frames in the order they were sent, in both directions', async () => {
      const [a, b, ra, rb] = await pair();
      await a.connect(b.name);
      await rb.waitFor('nodeup');
      for (let i = 0; i < 10_000; i++) expect(a.send(b.name, seqFrame(i))).toBe(true);
      for (let i = 0; i < 100; i++) b.send(a.name, seqFrame(i));
      await rb.waitForFrames(10_000, { timeout: 15_000 });
      await ra.waitForFrames(100);
      expect(rb.frames().map(seqOf)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
      expect(ra.frames().map(seqOf)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(b.stats().badFrames).toBe(0);
    });

    it('holds every frame a delayed node sends for the delay, in order, and lifting the delay releases them', async () => {
      const [a, b, ra, rb] = await pair();
      await a.connect(b.name);
      await rb.waitFor('nodeup');
      const DELAY = 40;
      b.setOutboundDelay(DELAY);
      expect(b.outboundDelay).toBe(DELAY);
      const arrived: number[] = [];
      a.on('frame', () => arrived.push(performance.now()));
      const sentAt: number[] = [];
      for (let i = 0; i < 100; i++) {
        sentAt.push(performance.now());
        b.send(a.name, seqFrame(i));
        if (i % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
      }
      await ra.waitForFrames(100);
      expect(ra.frames().map(seqOf)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      arrived.forEach((at, i) => expect(at - sentAt[i]!).toBeGreaterThanOrEqual(DELAY));
      // Held for long, then lifted: what is held leaves at once, before what is sent afterwards.
      b.setOutboundDelay(600_000);
      for (let i = 100; i < 110; i++) b.send(a.name, seqFrame(i));
      await waitUntil(() => b.queuedBytes(a.name) > 0, { what: 'frames held on b' });
      b.setOutboundDelay(0);
      for (let i = 110; i < 120; i++) b.send(a.name, seqFrame(i));
      await ra.waitForFrames(120);
      expect(ra.frames().map(seqOf)).toEqual(Array.from({ length: 120 }, (_, i) => i));
      expect(() => b.setOutboundDelay(-1)).toThrow(InvalidArgumentError);
    });

    it('connects on send to a node that is not up and delivers the held frames in order', async () => {
      const [a, b, ra, rb] = await pair();
      for (let i = 0; i < 50; i++) expect(a.send(b.name, seqFrame(i))).toBe(true);
      await rb.waitForFrames(50);
      expect(rb.frames().map(seqOf)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(ra.of('nodeup')).toHaveLength(1);
      expect(rb.events[0]?.type).toBe('nodeup'); // the receiver is up before the first frame
    });

    it('rejects a wrong cookie on both sides and delivers nothing', async () => {
      const a = await start({ name: 'a@host', cookie: 'right' });
      const b = await start({ name: 'b@host', cookie: 'wrong' });
      const ra = new EventRecorder(a);
      const rb = new EventRecorder(b);
      expect(a.send(b.name, seqFrame(1))).toBe(true);
      await expect(a.connect(b.name)).rejects.toBeInstanceOf(BadCookieError);
      await ra.waitFor('connectfailed', (e) => e.error instanceof BadCookieError);
      await waitUntil(() => b.stats().handshakesRefused >= 1, { what: 'b to see the refusal' });
      expect(a.stats().handshakesRefused).toBeGreaterThanOrEqual(1);
      expect([...ra.of('nodeup'), ...rb.of('nodeup'), ...rb.of('frame')]).toEqual([]);
      expect(a.peers()).toEqual([]);
      expect(b.peers()).toEqual([]);
      expect(a.stats().framesDropped).toBeGreaterThanOrEqual(1);
    });

    it('refuses a peer rejected by the accept policy', async () => {
      const a = await start({ name: 'a@host' });
      const b = await start({ name: 'b@host', accept: (peer) => peer.name !== 'a@host' });
      await expect(a.connect(b.name)).rejects.toBeInstanceOf(ConnectionRefusedError);
      expect(b.peers()).toEqual([]);
      expect(b.stats().handshakesRefused).toBe(1);
    });

    it('rejects a connect aborted through its signal', async () => {
      const a = await start({ name: 'a@host' });
      await start({ name: 'b@host' });
      const controller = new AbortController();
      const connecting = a.connect('b@host', { signal: controller.signal });
      controller.abort();
      await expect(connecting).rejects.toBeInstanceOf(AbortedError);
      const pre = new AbortController();
      pre.abort();
      await expect(a.connect('b@host', { signal: pre.signal })).rejects.toBeInstanceOf(AbortedError);
    });

    it('takes the connection down on both sides on disconnect', async () => {
      const [a, b, ra, rb] = await pair();
      const info = await a.connect(b.name);
      await rb.waitFor('nodeup');
      a.disconnect(b.name);
      expect(a.peer(b.name)).toBeUndefined();
      const downA = await ra.waitFor('nodedown');
      expect(downA.reason).toEqual({ kind: 'closed' });
      expect(downA.peer.epoch).toBe(info.epoch);
      const downB = await rb.waitFor('nodedown');
      expect(downB.reason).toEqual({ kind: 'peer_closed' });
      expect(b.peers()).toEqual([]);
    });

    it('delivers no frame of a dead epoch after the connection is re-established', async () => {
      const [a, b, , rb] = await pair();
      await a.connect(b.name);
      await rb.waitFor('nodeup');
      const deadAtB = new Set<number>();
      const violations: string[] = [];
      b.on('nodedown', (peer) => deadAtB.add(peer.epoch));
      b.on('frame', (peer) => {
        if (deadAtB.has(peer.epoch)) violations.push(`frame of dead epoch ${peer.epoch}`);
      });
      for (let round = 0; round < 3; round++) {
        // a keeps sending while b drops the connection: a's frames still in flight belong to the dead epoch.
        for (let i = 0; i < 2_000; i++) a.send(b.name, seqFrame(i, `round${round}`));
        b.disconnect(a.name);
        for (let i = 0; i < 2_000; i++) a.send(b.name, seqFrame(i, `late${round}`));
        await waitUntil(() => a.peer(b.name) === undefined, { what: 'a to see the connection down' });
        await a.connect(b.name);
        a.send(b.name, seqFrame(-1, `marker${round}`));
        await rb.waitFor('frame', (e) => (e.frame as ControlFrame).channel === `marker${round}`);
      }
      expect(violations).toEqual([]);
      const epochs = rb.of('nodeup').map((e) => e.peer.epoch);
      expect(new Set(epochs).size).toBe(4);
    });

    it('reports replaced when a peer restarts with a new creation and reconnects', async () => {
      const a1 = await start({ name: 'a@host', creation: 1 });
      const b = await start({ name: 'b@host' });
      const rb = new EventRecorder(b);
      await a1.connect(b.name);
      const first = await rb.waitFor('nodeup');
      const a2 = await start({ name: 'a@host', creation: 2 });
      const second = await a2.connect(b.name);
      expect(second.name).toBe(b.name);
      const down = await rb.waitFor('nodedown');
      expect(down.reason).toEqual({ kind: 'replaced' });
      expect(down.peer.epoch).toBe(first.peer.epoch);
      const up = await rb.waitFor('nodeup', (e) => e.peer.creation === 2);
      expect(up.peer.epoch).not.toBe(first.peer.epoch);
      expect(rb.events.map((e) => e.type)).toEqual(['nodeup', 'nodedown', 'nodeup']);
      expect(b.peer('a@host')?.creation).toBe(2);
    });

    it('ends a simultaneous connect with exactly one connection', async () => {
      for (let round = 0; round < 5; round++) {
        const a = await start({ name: `a${round}@host` });
        const b = await start({ name: `b${round}@host` });
        const ra = new EventRecorder(a);
        const rb = new EventRecorder(b);
        const [atA, atB] = await Promise.all([a.connect(b.name), b.connect(a.name)]);
        expect(atA.name).toBe(b.name);
        expect(atB.name).toBe(a.name);
        expect(ra.of('nodeup')).toHaveLength(1);
        expect(rb.of('nodeup')).toHaveLength(1);
        a.send(b.name, seqFrame(round));
        b.send(a.name, seqFrame(round));
        await ra.waitForFrames(1);
        await rb.waitForFrames(1);
        expect([...ra.of('nodedown'), ...rb.of('nodedown')]).toEqual([]);
        expect(a.peers()).toHaveLength(1);
        expect(b.peers()).toHaveLength(1);
      }
    });

    it('connects a restarted node at once to a peer still dialling its dead incarnation', async () => {
      // The peer that keeps dialling has the smaller name in the first round (its attempt would win
      // a simultaneous connect) and the larger one in the second.
      for (const [dialerName, restartedName] of [
        ['a@host', 'c@host'],
        ['z@host', 'c@host'],
      ] as const) {
        const dialer = await start({ name: dialerName, handshakeTimeout: 5_000 });
        const old = await start({ name: restartedName, creation: 1 });
        await dialer.connect(old.name);
        const oldAddress = old.address!;
        await old.close(); // the old incarnation dies; its address is dead from now on
        await waitUntil(() => dialer.peer(restartedName) === undefined, { what: 'the dialer to see the old incarnation down' });
        // Like a connection policy: re-dial the missing peer at the address it knows, without a timeout.
        const redial = (): void => {
          if (dialer.peer(restartedName) === undefined) dialer.connect(restartedName, { address: oldAddress }).catch(() => {});
        };
        redial();
        const timer = setInterval(redial, 50);
        try {
          await new Promise((resolve) => setTimeout(resolve, 120)); // the dialer's attempt is well under way
          const restarted = await start({ name: restartedName, creation: 2 });
          const startedAt = Date.now();
          const info = await restarted.connect(dialerName, { timeout: 4_000 });
          expect(info.name).toBe(dialerName);
          expect(Date.now() - startedAt).toBeLessThan(2_000); // well under the handshake timeout
          await waitUntil(() => dialer.peer(restartedName)?.creation === 2, { what: 'the dialer to see the new incarnation up' });
          expect(restarted.peers().map((p) => p.name)).toEqual([dialerName]);
        } finally {
          clearInterval(timer);
        }
        await dialer.close();
      }
    });

    it('keeps an idle connection up with ticks', async () => {
      const [a, b, ra, rb] = await pair({ netTickTime: 200 });
      await a.connect(b.name);
      await rb.waitFor('nodeup');
      const base = b.stats().framesReceived;
      // About 4 ticks a netTickTime: seeing 8 means well over a netTickTime passed idle.
      await waitUntil(() => b.stats().framesReceived >= base + 8, { what: 'ticks to arrive', timeout: 5_000 });
      expect([...ra.of('nodedown'), ...rb.of('nodedown')]).toEqual([]);
      expect(a.peer(b.name)).toBeDefined();
    });

    it('fails to connect to a node whose address cannot be resolved', async () => {
      const a = await start({ name: 'a@host' });
      const ra = new EventRecorder(a);
      await expect(a.connect('nobody@host', { timeout: 300 })).rejects.toBeInstanceOf(UnresolvableNodeError);
      expect(a.send('nobody@host', seqFrame(1))).toBe(false);
      await ra.waitFor('connectfailed', (e) => e.name === 'nobody@host');
    });

    it('closes: nodedown on both sides, then refuses to send or connect', async () => {
      const [a, b, ra, rb] = await pair();
      await a.connect(b.name);
      await rb.waitFor('nodeup');
      await a.close();
      expect((await ra.waitFor('nodedown')).reason).toEqual({ kind: 'closed' });
      expect((await rb.waitFor('nodedown')).reason).toEqual({ kind: 'peer_closed' });
      expect(a.send(b.name, seqFrame(1))).toBe(false);
      await expect(a.connect(b.name)).rejects.toBeInstanceOf(NodeStoppedError);
      expect(a.peers()).toEqual([]);
      await a.close();
    });
  });
}

