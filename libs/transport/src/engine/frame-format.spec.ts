import { describe, expect, it } from 'vitest';
import { FrameCodec, Pid, Ref, type Frame, type Term } from '@sdnode/wire';
import { cborFormat } from './frame-format.js';
import { OutboundQueue } from './outbound-queue.js';

const me = new Pid('a@127.0.0.1', 5, 1);
const echo = new Pid('b@127.0.0.1', 9, 1);

function callFrames(i: number): Frame[] {
  const ref = new Ref('a@127.0.0.1', i, 1);
  return [
    { kind: 'monitor', from: me, to: echo, ref },
    { kind: 'send', to: echo, msg: { signal: 'call', from: me, ref, request: i % 2 === 0 ? { echo: i } : new Map([[i, 'generic path']]) } as unknown as Term },
    { kind: 'demonitor', from: me, to: echo, ref },
  ];
}

describe('cborFormat: frames queued as offsets (encodeChunk, batchAt)', () => {
  it('sends the batches encode and batch would send, as one view when the frames lie back to back', () => {
    const encoder = cborFormat.newEncoder(1 << 20);
    const decoder = new FrameCodec();
    const queue = new OutboundQueue();
    const join = (chunks: readonly unknown[], start: number, end: number, starts: readonly number[], sizes: readonly number[]): Uint8Array =>
      cborFormat.batchAt!(chunks, start, end, starts, sizes) as Uint8Array;
    for (let i = 1; i <= 6; i++) {
      const frames = callFrames(i);
      for (const frame of frames) {
        const chunk = encoder.encodeChunk!(frame);
        const at = encoder.chunkStart!;
        queue.push(chunk, at >= 0 ? encoder.chunkEnd! - at : encoder.size(chunk), at);
      }
      const bytes = queue.take(1 << 20, join);
      expect(queue.takenFrames).toBe(3);
      expect(queue.takenBytes).toBe(bytes.byteLength);
      const { frames: decoded, errors } = decoder.decodeBatch(bytes);
      expect(errors).toEqual([]);
      expect(decoded.map((f) => f.kind)).toEqual(['monitor', 'send', 'demonitor']);
      expect((decoded[1] as unknown as { msg: { ref: Ref } }).msg.ref.equals((frames[0] as { ref: Ref }).ref)).toBe(true);
    }
  });

  it('returns a lone generic chunk as it is, and joins chunks from different buffers with a copy', () => {
    const a = Buffer.from([0x01, 0x02]);
    const slab = Buffer.from([0xff, 0x03, 0x04, 0xff]);
    expect(cborFormat.batchAt!([a], 0, 1, [-1], [2])).toBe(a);
    const joined = cborFormat.batchAt!([a, slab], 0, 2, [-1, 1], [2, 2]) as Uint8Array;
    expect([...joined]).toEqual([1, 2, 3, 4]);
    const view = cborFormat.batchAt!([slab, slab], 0, 2, [1, 2], [1, 1]) as Uint8Array;
    expect(view.buffer).toBe(slab.buffer);
    expect([...view]).toEqual([3, 4]);
  });
});
