import { describe, expect, it } from 'vitest';
import { waitUntil } from '../testing/wait-until.js';
import { emptyStats } from '../transport-stats.js';
import type { OutboundStream } from './carrier.js';
import { Connection } from './connection.js';
import { cborFormat } from './frame-format.js';
import { OutboundWriter } from './outbound-writer.js';
import type { RangeStream } from './range-stream.js';

type Written = { readonly kind: 'range'; readonly bytes: Uint8Array; readonly from: number; readonly to: number } | { readonly kind: 'payload'; readonly payload: unknown };

/** A stream that takes every write at once and records it (with writeRangeNow when `ranged`). */
function recordingStream(ranged: boolean): { stream: OutboundStream; written: Written[] } {
  const written: Written[] = [];
  const base: OutboundStream = {
    id: 's',
    write: async (payload) => {
      written.push({ kind: 'payload', payload });
    },
    writeNow: (payload) => {
      written.push({ kind: 'payload', payload });
      return undefined;
    },
    close: () => {},
  };
  if (!ranged) return { stream: base, written };
  const stream: RangeStream = {
    ...base,
    writeRangeNow: (bytes, from, to) => {
      written.push({ kind: 'range', bytes, from, to });
      return undefined;
    },
  };
  return { stream, written };
}

function setup(ranged: boolean) {
  const stats = emptyStats();
  const failures: unknown[] = [];
  const writer = new OutboundWriter({ format: cborFormat, stats, maxBatchBytes: 1 << 20, onWriteFailed: (_conn, err) => failures.push(err) });
  const conn = new Connection('initiator', 'peer@127.0.0.1', 'tcp://127.0.0.1:1', new Uint8Array(16), cborFormat.newEncoder(1 << 20));
  const { stream, written } = recordingStream(ranged);
  conn.stream = stream;
  return { writer, conn, stats, written, failures };
}

const slab = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
const bytesOf = (w: Written): string => (w.kind === 'range' ? Buffer.from(w.bytes.subarray(w.from, w.to)) : Buffer.from(w.payload as Uint8Array)).toString('hex');

describe('OutboundWriter batches as ranges (RangeStream)', () => {
  it('hands a RangeStream back-to-back chunks of one slab as a range, with no view', () => {
    const { writer, conn, stats, written } = setup(true);
    conn.queue.push(slab, 5, 10);
    conn.queue.push(slab, 7, 15);
    conn.queue.push(slab, 3, 22);
    writer.pump(conn);
    expect(written).toEqual([{ kind: 'range', bytes: slab, from: 10, to: 25 }]);
    expect(stats).toMatchObject({ framesSent: 3, batchesSent: 1, bytesSent: 15 });
    expect(conn.writing).toBe(false);
  });

  it('joins chunks that are not one range (a gap, another buffer, a whole chunk) as before', () => {
    const { writer, conn, written } = setup(true);
    const other = Buffer.from([0xaa, 0xbb]);
    conn.queue.push(slab, 5, 10);
    conn.queue.push(slab, 2, 20); // a gap after the first
    conn.queue.push(other, 2); // a whole chunk
    writer.pump(conn);
    expect(written).toHaveLength(1);
    expect(written[0]!.kind).toBe('payload');
    expect(bytesOf(written[0]!)).toBe(Buffer.concat([slab.subarray(10, 15), slab.subarray(20, 22), other]).toString('hex'));
  });

  it('writes a view to a stream without writeRangeNow', () => {
    const { writer, conn, written } = setup(false);
    conn.queue.push(slab, 5, 10);
    conn.queue.push(slab, 7, 15);
    writer.pump(conn);
    expect(written).toHaveLength(1);
    expect(written[0]!.kind).toBe('payload');
    expect(bytesOf(written[0]!)).toBe(slab.subarray(10, 22).toString('hex'));
  });

  it('holds real payloads under an outbound delay, never a range, and writes them when due', async () => {
    const { writer, conn, written } = setup(true);
    writer.setDelay(5);
    conn.queue.push(slab, 5, 10);
    conn.queue.push(slab, 7, 15);
    writer.pump(conn);
    expect(written).toHaveLength(0);
    expect(conn.delayed.length).toBe(1);
    await waitUntil(() => written.length === 1);
    expect(written[0]!.kind).toBe('payload');
    expect(bytesOf(written[0]!)).toBe(slab.subarray(10, 22).toString('hex'));
    writer.setDelay(0);
  });
});
