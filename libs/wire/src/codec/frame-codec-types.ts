import type { Frame } from '../frames.js';
import type { BadFrameError, FrameTooLargeError, UnknownFrameTypeError } from '../errors/wire-errors.js';

/*
 * The shapes FrameCodec takes and hands out: its options, the batches it decodes, its counters
 * (frame-codec.ts re-exports them).
 */

/** The typed errors decodeBatch reports. */
export type FrameDecodeError = BadFrameError | UnknownFrameTypeError | FrameTooLargeError;

export interface DecodedBatch {
  /** Valid frames, in order. */
  readonly frames: Frame[];
  /** Typed errors for the parts that were rejected (bad frames are dropped, never thrown). */
  readonly errors: FrameDecodeError[];
}

/**
 * A batch decoded into arrays the codec reuses (FrameCodec.decodeShared): the valid frames are
 * `frames[0..count)`. It stays valid until `releaseShared`, which the holder calls when done.
 */
export interface SharedBatch {
  readonly frames: readonly Frame[];
  readonly count: number;
  readonly errors: readonly FrameDecodeError[];
}

export interface FrameCodecOptions {
  /** Largest batch accepted by decodeBatch, and largest single frame encode produces (bytes). Default 16 MiB. */
  readonly maxBatchBytes?: number;
  /** Deepest nesting of containers in a frame. Default 256. */
  readonly maxDepth?: number;
  /** Rejected frames reported per batch before the rest of the batch is dropped. Default 16. */
  readonly maxErrorsPerBatch?: number;
  /**
   * Compress node names with an outbound node-name table (encode appends NAMES frames; see
   * node-name-table.ts). For codecs whose every chunk reaches one peer codec in order, as the
   * transport's per-connection codecs do. Decoding always understands NAMES frames. Default false.
   */
  readonly nodeNameTables?: boolean;
  /**
   * Encode SEND, MONITOR and DEMONITOR frames of common terms with the hand-written encoder
   * (fast-frame-encoder.ts) into a slab the codec owns. Default true; false: cbor-x for every frame.
   */
  readonly fastEncoder?: boolean;
  /**
   * Decode SEND frames of common terms with the hand-written decoder (fast-frame-decoder.ts),
   * other items with cbor-x. Default true; false: cbor-x for every item.
   */
  readonly fastDecoder?: boolean;
}

/** Counters of one codec (one connection epoch), for metrics and logs. */
export interface FrameCodecStats {
  framesEncoded: number;
  /** Of framesEncoded, those the fast encoder wrote. */
  framesEncodedFast: number;
  /** encode calls refused (not sendable, bad fields, too large). */
  framesRefused: number;
  framesDecoded: number;
  /** Frames dropped by decodeBatch (schema, unknown op, forbidden CBOR, malformed term). */
  framesRejected: number;
  /** Batches whose CBOR was corrupt from some offset on (the frames after it are lost). */
  batchesCorrupt: number;
  /** Batches refused whole for their size. */
  batchesTooLarge: number;
}
