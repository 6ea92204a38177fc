import type { Frame } from '../frames.js';
import { FrameTooLargeError, NotSendableError, UnknownFrameTypeError } from '../errors/wire-errors.js';
import { InvalidArgumentError } from '../errors/process-errors.js';
import { SDNODE_TAGS_REGISTERED } from './cbor-tags.js';
import { schemaOfKind } from './frame-registry.js';
import { checkSendable } from './sendability.js';
import { OutboundNames } from './node-name-table.js';
import { DEFAULT_LIMITS, type WireLimits } from './wire-limits.js';
import { FastFrameEncoder } from './fast-frame-encoder.js';
import { BatchDecoder } from './batch-decoder.js';
import type { DecodedBatch, FrameCodecOptions, FrameCodecStats, SharedBatch } from './frame-codec-types.js';

export type { DecodedBatch, FrameCodecOptions, FrameCodecStats, FrameDecodeError, SharedBatch } from './frame-codec-types.js';

/**
 * Encodes frames to CBOR and decodes batches (CBOR sequences of frames), strictly.
 * One codec per connection epoch and direction; cheap to create. Not shared between threads.
 * It holds the epoch's node-name tables (node-name-table.ts): every chunk `encode` returns must
 * reach the peer's codec for the same epoch, whole and in order, or the epoch must end.
 *
 * Encoded frames are views into cbor-x's output slab; cbor-x never writes over bytes it has
 * returned (a later encode continues after them or starts a new slab), so an encoded frame stays
 * valid while it waits in a queue (tested in frame-codec.spec.ts).
 */
export class FrameCodec {
  readonly limits: WireLimits;
  readonly stats: FrameCodecStats = {
    framesEncoded: 0,
    framesEncodedFast: 0,
    framesRefused: 0,
    framesDecoded: 0,
    framesRejected: 0,
    batchesCorrupt: 0,
    batchesTooLarge: 0,
  };
  /** The outbound node-name table and the encoder that packs its entries. */
  private readonly outNames: OutboundNames;
  /** The hand-written encoder of the hot frames (null: off). */
  private readonly fast: FastFrameEncoder | null;
  /** The decoding half: the inbound node-name table, the scanner and the decoders of batches. */
  private readonly batches: BatchDecoder;

  constructor(options: FrameCodecOptions = {}) {
    const maxBatchBytes = options.maxBatchBytes ?? DEFAULT_LIMITS.maxBatchBytes;
    const maxDepth = options.maxDepth ?? DEFAULT_LIMITS.maxDepth;
    if (!Number.isInteger(maxBatchBytes) || maxBatchBytes < 64) throw new InvalidArgumentError('maxBatchBytes', 'must be an integer >= 64');
    if (!Number.isInteger(maxDepth) || maxDepth < 4 || maxDepth > 4096) throw new InvalidArgumentError('maxDepth', 'must be an integer from 4 to 4096');
    const maxErrorsPerBatch = options.maxErrorsPerBatch ?? DEFAULT_LIMITS.maxErrorsPerBatch;
    if (!Number.isInteger(maxErrorsPerBatch) || maxErrorsPerBatch < 1) throw new InvalidArgumentError('maxErrorsPerBatch', 'must be an integer >= 1');
    this.limits = Object.freeze({ maxBatchBytes, maxDepth, maxErrorsPerBatch });
    void SDNODE_TAGS_REGISTERED;
    // Records stay off: see docs/protocols/wire-format.md, "Why no records".
    this.outNames = new OutboundNames(options.nodeNameTables === true);
    this.fast = options.fastEncoder === false ? null : new FastFrameEncoder(this.outNames, maxBatchBytes, maxDepth);
    this.batches = new BatchDecoder(this.limits, this.stats, options.fastDecoder !== false);
  }

  /**
   * Encode one frame. Throws (never returns bad bytes):
   * - UnknownFrameTypeError for an unknown kind, InvalidArgumentError for a field that breaks the schema;
   * - NotSendableError (with the path, e.g. `msg.items[3].fn`) for a term that cannot be sent;
   * - FrameTooLargeError when the frame alone exceeds maxBatchBytes.
   */
  encode(frame: Frame): Uint8Array {
    const fast = this.fast?.encode(frame);
    if (fast !== undefined) {
      this.stats.framesEncoded++;
      this.stats.framesEncodedFast++;
      return fast;
    }
    return this.encodeGeneric(frame);
  }

  /** `encode` through cbor-x (the frames the fast encoder leaves). */
  private encodeGeneric(frame: Frame): Uint8Array {
    const schema = typeof frame === 'object' && frame !== null ? schemaOfKind(frame.kind) : undefined;
    if (schema === undefined) throw this.refused(new UnknownFrameTypeError(String((frame as { kind?: unknown } | null)?.kind)));
    const problem = schema.check(frame);
    if (problem !== undefined) throw this.refused(new InvalidArgumentError(`${schema.kind} frame`, problem));
    const field = schema.termField;
    if (field !== undefined) {
      const term = (frame as unknown as Record<string, unknown>)[field];
      const refusal = checkSendable(term, field, this.limits.maxDepth - (schema.termLevel ?? 1));
      if (refusal !== undefined) throw this.refused(refusal);
    }
    const names = this.outNames;
    let bytes: Uint8Array;
    try {
      bytes = names.encoder.encode(schema.toArray(frame));
    } catch (error) {
      names.discard();
      throw this.refused(new NotSendableError(schema.kind, `the CBOR encoder failed: ${error instanceof Error ? error.message : String(error)}`));
    }
    if (names.hasPending) bytes = this.withNames(bytes);
    if (bytes.length > this.limits.maxBatchBytes) {
      names.discard();
      throw this.refused(new FrameTooLargeError(bytes.length, this.limits.maxBatchBytes));
    }
    if (names.hasPending) names.commit();
    this.stats.framesEncoded++;
    return bytes;
  }

  /**
   * `encode` for a queue that keeps offsets rather than a view per frame: a frame the fast encoder
   * wrote comes back as the slab that holds it, its bytes being `[chunkStart, chunkEnd)` of it
   * (valid as long as `encode`'s views are); any other frame comes back as `encode` returns it,
   * with chunkStart -1. Same checks and errors as `encode`.
   */
  encodeChunk(frame: Frame): Uint8Array {
    const fast = this.fast;
    if (fast !== null) {
      const slab = fast.encodeInPlace(frame);
      if (slab !== undefined) {
        this.stats.framesEncoded++;
        this.stats.framesEncodedFast++;
        this.chunkStart = fast.lastStart;
        this.chunkEnd = fast.lastEnd;
        return slab;
      }
    }
    this.chunkStart = -1;
    return this.encodeGeneric(frame);
  }

  /** Where the bytes of the last `encodeChunk` lie in what it returned (-1: all of it). */
  chunkStart = -1;
  chunkEnd = 0;

  /** The frame followed by the NAMES frame of the node names it spelled out first. */
  private withNames(frame: Uint8Array): Uint8Array {
    const names = this.outNames.encodePending();
    // encodePending continues in the same slab: usually right after the frame, so no copy
    if (names.buffer === frame.buffer && names.byteOffset === frame.byteOffset + frame.byteLength) {
      return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength + names.byteLength); // a Buffer, as cbor-x returns
    }
    return Buffer.concat([frame, names]);
  }

  /** Entries of the outbound and inbound node-name tables (for tests and metrics). */
  get namesTableSizes(): { readonly outbound: number; readonly inbound: number } {
    return { outbound: this.outNames.size, inbound: this.batches.namesTableSize };
  }

  private refused<E extends Error>(error: E): E {
    this.stats.framesRefused++;
    return error;
  }

  /**
   * Join encoded frames (`chunks[start..end)`) into one batch (a CBOR sequence). Frames that lie
   * back to back in one slab (as consecutive frames of the fast encoder do) become one view of
   * it, with no copy.
   */
  static concat(chunks: readonly Uint8Array[], start = 0, end = chunks.length): Uint8Array {
    const first = chunks[start];
    if (first === undefined || end <= start) return Buffer.alloc(0);
    if (end - start === 1) return first;
    const buffer = first.buffer;
    let next = first.byteOffset + first.byteLength;
    for (let i = start + 1; i < end; i++) {
      const chunk = chunks[i]!;
      if (chunk.buffer !== buffer || chunk.byteOffset !== next) return Buffer.concat(chunks.slice(start, end) as Uint8Array[]);
      next += chunk.byteLength;
    }
    return Buffer.from(buffer, first.byteOffset, next - first.byteOffset);
  }

  /**
   * Decode a batch; never throws. Frames come back in order. A frame that breaks a rule is
   * dropped with a typed error and decoding goes on with the next frame. If the CBOR itself is
   * corrupt from some offset on (truncated, reserved or indefinite-length headers, nesting past
   * maxDepth), the frames before it are kept and one BadFrameError reports the rest as lost: the
   * frame boundaries after that point are unknown. A batch over maxBatchBytes is refused whole.
   */
  decodeBatch(bytes: Uint8Array): DecodedBatch {
    return this.batches.decodeBatch(bytes);
  }

  /**
   * `decodeBatch` into arrays the codec reuses, for a holder that is done with the batch before
   * it decodes the next one (the transport's receive path): no arrays or result object per batch.
   * Undefined while the previous shared batch is not released (use decodeBatch then). Same
   * frames, errors and counters as decodeBatch.
   */
  decodeShared(bytes: Uint8Array): SharedBatch | undefined {
    return this.batches.decodeShared(bytes);
  }

  /** The holder of the shared batch is done with it: its frames are let go. */
  releaseShared(): void {
    this.batches.releaseShared();
  }
}
