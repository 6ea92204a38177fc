import { BadFrameError, FrameCodec, type Frame, type DecodedBatch } from '@sdnode/wire';

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
}

export interface StreamEncoder {
  /** Encode one frame (throws NotSendableError for unsendable values). */
  encode(frame: Frame): unknown;
  /** Size in bytes of an encoded chunk (an estimate for the object format). */
  size(chunk: unknown): number;
}

export interface StreamDecoder {
  decode(payload: unknown): DecodedBatch;
}

export const cborFormat: FrameFormat = {
  newEncoder(maxFrameBytes: number): StreamEncoder {
    // One encoder per connection epoch, every chunk sent in order: node names are compressed with
    // the epoch's node-name table (docs/protocols/wire-format.md, "Node-name tables").
    const codec = new FrameCodec({ maxBatchBytes: maxFrameBytes, nodeNameTables: true });
    return {
      encode: (frame) => codec.encode(frame),
      size: (chunk) => (chunk as Uint8Array).byteLength,
    };
  },
  newDecoder(maxBatchBytes: number): StreamDecoder {
    const codec = new FrameCodec({ maxBatchBytes });
    return {
      decode(payload) {
        return codec.decodeBatch(payload as Uint8Array);
      },
    };
  },
  batch(chunks, start = 0, end = chunks.length) {
    return end - start === 1 ? chunks[start] : FrameCodec.concat(chunks as Uint8Array[], start, end);
  },
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
