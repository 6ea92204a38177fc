// A transport here and its peer in another OS process (a child node, fixtures/child-node.mjs):
// what only real processes show — a killed peer is seen through the socket long before a tick
// timeout, a frozen (SIGSTOP) peer by the tick timeout, and a peer that stops reading fills a
// bounded queue and is dropped with `overload`. Every carrier runs it, against a child on each
// carrier it interoperates with (net/net-peer-process.spec.ts, zmq/zmq-peer-process.spec.ts).
import { describe, expect, it } from 'vitest';
import type { ControlFrame } from '@sdnode/wire';
import type { Transport } from '../transport.js';
import { CHILD_PEER as CHILD, ChildPeerSession, type LocalPeerOptions } from './child-peer.test-util.js';
import { seqFrame } from './compliance.js';
import { waitUntil } from './wait-until.js';

const COOKIE = 'process-cookie';

/** The options the suite sets on the local transport. */
export interface PeerProcessLocalOptions extends LocalPeerOptions {
  readonly netTickTime: number;
  readonly maxQueueBytes?: number;
  readonly maxBatchBytes?: number;
}

export interface PeerProcessSuiteOptions {
  /** The carrier of the child process. */
  readonly childCarrier: 'net' | 'zmq';
  /** Only the kill case (an interop check): the freeze and overload cases need one pairing only. */
  readonly killOnly?: boolean;
}

/** Registers the suite for the local transport `create` makes. */
export function peerProcessSuite(label: string, create: (options: PeerProcessLocalOptions) => Transport, { childCarrier, killOnly = false }: PeerProcessSuiteOptions): void {
  describe(`${label} with a peer process on the ${childCarrier} carrier`, () => {
    const session = ChildPeerSession.perTest();

    async function connectToChild(netTickTime: number, extra: Partial<PeerProcessLocalOptions> = {}) {
      const s = session();
      const recorder = await s.start({ cookie: COOKIE, carrier: childCarrier, netTickTime }, (options) => create({ ...options, netTickTime, ...extra }));
      expect(s.local.peers().map((p) => p.creation)).toEqual([s.child.creation]);
      s.local.send(CHILD, seqFrame(1));
      await recorder.waitFor('frame', (e) => (e.frame as ControlFrame).channel === 'echo');
      return { local: s.local, recorder, child: s.child };
    }

    it('detects a killed peer through the socket, long before a tick timeout', async () => {
      const { recorder, child } = await connectToChild(120_000);
      child.signal('SIGKILL');
      // netTickTime is 120 s: within this 5 s deadline only the socket's close can tell.
      const down = await recorder.waitFor('nodedown', undefined, { timeout: 5_000 });
      expect(down.reason).toEqual({ kind: 'peer_closed' });
      expect(down.peer.name).toBe(CHILD);
    });

    if (killOnly) return;

    it('detects a frozen peer by tick timeout', async () => {
      const { local, recorder, child } = await connectToChild(400);
      child.signal('SIGSTOP');
      const down = await recorder.waitFor('nodedown', undefined, { timeout: 5_000 });
      expect(down.reason).toEqual({ kind: 'tick_timeout' });
      expect(local.peers()).toEqual([]);
    });

    it('bounds the queue towards a peer that stops reading and drops it with overload', async () => {
      const maxQueueBytes = 1024 * 1024;
      const { local, recorder, child } = await connectToChild(120_000, { maxQueueBytes, maxBatchBytes: 64 * 1024 });
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
      expect(down.reason.kind === 'overload' && down.reason.queuedBytes).toBeGreaterThan(maxQueueBytes);
      expect(maxQueued).toBeLessThanOrEqual(maxQueueBytes);
      expect(local.queuedBytes(CHILD)).toBe(0);
      expect(local.stats().overloads).toBe(1);
      expect(local.peers()).toEqual([]);
      // The kernel and the carrier hold a bounded amount: far less than what was offered.
      expect(local.stats().bytesSent).toBeLessThan(64 * 1024 * 1024);
    });
  });
}
