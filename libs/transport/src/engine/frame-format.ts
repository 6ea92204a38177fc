import { BadFrameError, FrameCodec, type Frame, type DecodedBatch, type SharedBatch } from '@sdnode/wire';

/**
 * How frames travel over a carrier. `cbor` encodes every frame at send time with the stream's
 * FrameCodec and sends batches as CBOR sequences (ZeroMQ; MemoryTransport with `encode: true`).
 * `object` hands the frame objects themselves over (MemoryTransport default): no encoding cost,
 * no sendability check.
 */
export interface FrameFormat {
  /** A fresh encoder for a new outbound stream; it refuses frames above `maxFrameBytes`. */
  newEncoder(maxFrameBytes: number): StreamEncoder;
  /** A fresh decoder for a new inbound stream. */
  newDecoder(maxBatchBytes: number): StreamDecoder;
  /** Join chunks (as returned by `encode`), `chunks[start..end)`, into one payload. */
  batch(chunks: readonly unknown[], start?: number, end?: number): unknown;
  /**
   * `batch` of chunks as the outbound queue keeps them: chunk `i`'s bytes are `[starts[i],
   * starts[i] + sizes[i])` of `chunks[i]` when `starts[i] >= 0` (StreamEncoder.encodeChunk), all
   * of it otherwise. Required when the format's encoders have `encodeChunk`.
   */
  batchAt?(chunks: readonly unknown[], start: number, end: number, starts: readonly number[], sizes: readonly number[]): unknown;
}

export interface StreamEncoder {
  /** Encode one frame (throws NotSendableError for unsendable values). */
  encode(frame: Frame): unknown;
  /** Size in bytes of an encoded chunk (an estimate for the object format). */
  size(chunk: unknown): number;
  /**
   * Optional `encode` for the outbound queue, with no chunk object per frame where possible: the
   * object holding the bytes, which are `[chunkStart, chunkEnd)` of it when `chunkStart >= 0`
   * (a slab shared by consecutive frames), or the whole chunk as `encode` returns it.
   */
  encodeChunk?(frame: Frame): unknown;
  readonly chunkStart?: number;
  readonly chunkEnd?: number;
}

/** The encoder of the cbor format: a FrameCodec, and the offsets of its last encodeChunk. */
class CborStreamEncoder implements StreamEncoder {
  chunkStart = -1;
  chunkEnd = 0;

  constructor(private readonly codec: FrameCodec) {}

  encode(frame: Frame): unknown {
    return this.codec.encode(frame);
  }

  size(chunk: unknown): number {
    return (chunk as Uint8Array).byteLength;
  }

  encodeChunk(frame: Frame): unknown {
    const codec = this.codec;
    const chunk = codec.encodeChunk(frame);
    this.chunkStart = codec.chunkStart;
    this.chunkEnd = codec.chunkEnd;
    return chunk;
  }
}

/**
 * cborFormat.batchAt: chunks lying back to back in one buffer (consecutive frames of a codec's
 * fast encoder) become one view of it, with no copy; others are joined with a copy.
 */
function cborBatchAt(chunks: readonly unknown[], start: number, end: number, starts: readonly number[], sizes: readonly number[]): Uint8Array {
  if (end <= start) return Buffer.alloc(0);
  const first = chunks[start] as Uint8Array;
  if (end - start === 1 && starts[start]! < 0) return first;
  const buffer = first.buffer;
  const base = first.byteOffset + Math.max(0, starts[start]!);
  let next = base + sizes[start]!;
  for (let i = start + 1; i < end; i++) {
    const chunk = chunks[i] as Uint8Array;
    if (chunk.buffer !== buffer || chunk.byteOffset + Math.max(0, starts[i]!) !== next) return copyAt(chunks, start, end, starts, sizes);
    next += sizes[i]!;
  }
  return Buffer.from(buffer, base, next - base);
}

function copyAt(chunks: readonly unknown[], start: number, end: number, starts: readonly number[], sizes: readonly number[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = start; i < end; i++) {
    const chunk = chunks[i] as Uint8Array;
    const at = starts[i]!;
    parts.push(at < 0 ? chunk : chunk.subarray(at, at + sizes[i]!));
  }
  return Buffer.concat(parts);
}

export interface StreamDecoder {
  decode(payload: unknown): DecodedBatch;
  /**
   * Optional `decode` into arrays the decoder reuses (FrameCodec.decodeShared): frames
   * `[0..count)`, valid until `releaseShared`; undefined while the last one is not released.
   */
  decodeShared?(payload: unknown): SharedBatch | undefined;
  releaseShared?(): void;
}

export const cborFormat: FrameFormat = {
  newEncoder(maxFrameBytes: number): StreamEncoder {
    // One encoder per connection epoch, every chunk sent in order: node names are compressed with
    // the epoch's node-name table (docs/protocols/wire-format.md, "Node-name tables").
    return new CborStreamEncoder(new FrameCodec({ maxBatchBytes: maxFrameBytes, nodeNameTables: true }));
  },
  newDecoder(maxBatchBytes: number): StreamDecoder {
    const codec = new FrameCodec({ maxBatchBytes });
    return {
      decode(payload) {
        return codec.decodeBatch(payload as Uint8Array);
      },
      decodeShared(payload) {
        return codec.decodeShared(payload as Uint8Array);
      },
      releaseShared() {
        codec.releaseShared();
      },
    };
  },
  batch(chunks, start = 0, end = chunks.length) {
    return end - start === 1 ? chunks[start] : FrameCodec.concat(chunks as Uint8Array[], start, end);
  },
  batchAt: cborBatchAt,
};

/** Nominal size of one frame in the object format, for queue bounds. */
export const OBJECT_FRAME_BYTES = 64;

const objectEncoder: StreamEncoder = {
  encode: (frame) => frame,
  size: () => OBJECT_FRAME_BYTES,
};

/**
 * Check a payload of the object format: an array whose items are objects with a string `kind`.
 * Anything else (null, a number, an object without a kind) is reported as a BadFrameError, as an
 * undecodable CBOR frame would be; the engine then counts it and never reads a field of it.
 */
function decodeObjects(payload: unknown): DecodedBatch {
  if (!Array.isArray(payload)) return { frames: [], errors: [new BadFrameError('payload is not a frame array')] };
  const items = payload as unknown[];
  for (let i = 0; i < items.length; i++) {
    if (!isFrameShaped(items[i])) return splitObjects(items);
  }
  return { frames: items as Frame[], errors: [] };
}

function isFrameShaped(item: unknown): boolean {
  return typeof item === 'object' && item !== null && typeof (item as { kind?: unknown }).kind === 'string';
}

function splitObjects(items: readonly unknown[]): DecodedBatch {
  const frames: Frame[] = [];
  const errors: BadFrameError[] = [];
  items.forEach((item, index) => {
    if (isFrameShaped(item)) frames.push(item as Frame);
    else errors.push(new BadFrameError(`frame ${index} is not an object with a kind (${item === null ? 'null' : typeof item})`, { index }));
  });
  return { frames, errors };
}

export const objectFormat: FrameFormat = {
  newEncoder: () => objectEncoder,
  newDecoder(): StreamDecoder {
    return { decode: decodeObjects };
  },
  batch: (chunks, start = 0, end = chunks.length) => chunks.slice(start, end),
};
