import type { OutboundStream } from './carrier.js';

/**
 * An OutboundStream that can take a batch as a byte range of a buffer: the frames the outbound
 * queue holds as back-to-back ranges of one encoder slab (StreamEncoder.encodeChunk) leave with no
 * Buffer view of the batch, the medium copying `bytes[from, to)` where it would have copied the
 * view (NetStream: behind the ZMTP header). Same contract as `writeNow`: undefined when the range
 * was taken and the write is done, else the promise `write` would have returned. `bytes` is only
 * read during the call.
 */
export interface RangeStream extends OutboundStream {
  writeRangeNow(bytes: Uint8Array, from: number, to: number): Promise<void> | undefined;
}

export function isRangeStream(stream: OutboundStream): stream is RangeStream {
  return typeof (stream as Partial<RangeStream>).writeRangeNow === 'function';
}
