import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ControlFrame } from '@sdnode/wire';
import type { Transport } from '../transport.js';
import { seqFrame } from '../testing/compliance.js';
import { waitUntil } from '../testing/wait-until.js';
import { MemoryNetwork } from './memory-network.js';
import { MemoryTransport } from './memory-transport.js';

type Op =
  | { readonly op: 'connect' | 'disconnect' | 'send'; readonly from: 'a' | 'b'; readonly count: number }
  | { readonly op: 'partition' | 'heal' | 'turn' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('connect' as const, 'disconnect' as const, 'send' as const), from: fc.constantFrom('a' as const, 'b' as const), count: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ op: fc.constantFrom('partition' as const, 'heal' as const, 'turn' as const) }),
);

/**
 * Watches one side of the connection and records every violation of the transport's promises:
 * nodeup and nodedown alternate, nodedown names the epoch that was up, frames come only from the
 * epoch that is up, and the frames of the peer arrive in the order sent (some may be lost at an
 * epoch boundary, none reordered).
 */
function watch(t: Transport, violations: string[]): { lastSeq: () => number } {
  let upEpoch: number | undefined;
  let lastSeq = -1;
  t.on('nodeup', (peer) => {
    if (upEpoch !== undefined) violations.push(`${t.name}: nodeup ${peer.epoch} while ${upEpoch} is up`);
    upEpoch = peer.epoch;
  });
  t.on('nodedown', (peer) => {
    if (upEpoch !== peer.epoch) violations.push(`${t.name}: nodedown ${peer.epoch} while ${String(upEpoch)} is up`);
    upEpoch = undefined;
  });
  t.on('frame', (peer, frame) => {
    if (peer.epoch !== upEpoch) violations.push(`${t.name}: frame of epoch ${peer.epoch} while ${String(upEpoch)} is up`);
    const seq = (frame as ControlFrame).body as number;
    if (seq <= lastSeq) violations.push(`${t.name}: frame ${seq} after ${lastSeq}`);
    lastSeq = seq;
  });
  return { lastSeq: () => lastSeq };
}

describe('connection lifecycle under random operations (MemoryTransport, shared engine)', () => {
  it('keeps epochs, ordering and nodeup/nodedown alternation, and always reconnects after healing', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.boolean(), async (ops, encode) => {
        const network = new MemoryNetwork();
        const options = { cookie: 'c', network, encode, handshakeTimeout: 300, netTickTime: 60_000 };
        const nodes = { a: new MemoryTransport({ ...options, name: 'a@p' }), b: new MemoryTransport({ ...options, name: 'b@p' }) };
        const violations: string[] = [];
        const seen = { a: watch(nodes.a, violations), b: watch(nodes.b, violations) };
        const nextSeq = { a: 0, b: 0 };
        await nodes.a.listen();
        await nodes.b.listen();
        try {
          for (const op of ops) {
            if (op.op === 'partition') network.partition('a@p', 'b@p');
            else if (op.op === 'heal') network.heal();
            else if (op.op === 'turn') await new Promise((resolve) => setImmediate(resolve));
            else if ('from' in op) {
              const self = nodes[op.from];
              const other = op.from === 'a' ? nodes.b : nodes.a;
              if (op.op === 'connect') self.connect(other.name).catch(() => undefined);
              else if (op.op === 'disconnect') self.disconnect(other.name);
              else for (let i = 0; i < op.count; i++) self.send(other.name, seqFrame(nextSeq[op.from]++));
            }
          }
          network.heal();
          await waitUntil(
            () => {
              if (nodes.a.peer('b@p') === undefined) nodes.a.connect('b@p').catch(() => undefined);
              return nodes.a.peer('b@p') !== undefined && nodes.b.peer('a@p') !== undefined;
            },
            { timeout: 5_000, what: 'a and b to be connected again' },
          );
          const lastA = nextSeq.a++;
          nodes.a.send('b@p', seqFrame(lastA));
          const lastB = nextSeq.b++;
          nodes.b.send('a@p', seqFrame(lastB));
          await waitUntil(() => seen.b.lastSeq() === lastA && seen.a.lastSeq() === lastB, { what: 'the final frames' });
          expect(violations).toEqual([]);
        } finally {
          await Promise.all([nodes.a.close(), nodes.b.close()]);
        }
      }),
      {
        numRuns: Number(process.env['SDNODE_PROPERTY_RUNS'] ?? 40),
        // Found by this property: disconnect() during a handshake the peer had already completed on
        // its side left the peer up on a connection nobody else had (until REFUSE{closed} told it).
        examples: [[[{ op: 'connect', from: 'b', count: 1 }, { op: 'turn' }, { op: 'turn' }, { op: 'turn' }, { op: 'disconnect', from: 'b', count: 1 }], false]],
      },
    );
  });
});
