import type { Encoder } from 'cbor-x';
import type { Frame } from '../frames.js';
import { BadFrameError, FrameTooLargeError, NotSendableError, UnknownFrameTypeError } from '../errors/wire-errors.js';
import { InvalidArgumentError } from '../errors/process-errors.js';
import { SDNODE_TAGS_REGISTERED } from './cbor-tags.js';
import { CborScanner, ITEM_FATAL, ITEM_OK } from './cbor-scanner.js';
import { frameFromArray, schemaOfKind } from './frame-registry.js';
import { checkSendable } from './sendability.js';
import { InboundNames, OutboundNames, isNamesValue, newNamingDecoder, startsNamesFrame } from './node-name-table.js';
import { DEFAULT_LIMITS, type WireLimits } from './wire-limits.js';
import { FastFrameEncoder } from './fast-frame-encoder.js';
import { BAIL, FastFrameDecoder } from './fast-frame-decoder.js';
import type { DecodedBatch, FrameCodecOptions, FrameCodecStats, FrameDecodeError, SharedBatch } from './frame-codec-types.js';

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
  /** The inbound node-name table and the decoder that resolves references to it. */
  private readonly inNames = new InboundNames();
  private readonly decoder: Encoder;
  /** The hand-written decoder of SEND frames (null: off). */
  private readonly fastDecoder: FastFrameDecoder | null;
  private readonly scanner: CborScanner;
  /**
   * End offsets of the items of the current run, `runEnds[0..runCount)` (reused between batches;
   * never emptied with `length = 0`, which would drop its backing store).
   */
  private readonly runEnds: number[] = [];
  private runCount = 0;
  /** State of the run being decoded, read by onRunValue (one callback per codec, not per run). */
  private runFrames: Frame[] | null = null;
  /** Frames placed in runFrames so far (a shared array keeps its slots, so not its length). */
  private frameCount = 0;
  /** The batch decodeShared fills, and whether it is handed out (not released yet). */
  private readonly shared: { frames: Frame[]; count: number; errors: FrameDecodeError[] } = { frames: [], count: 0, errors: [] };
  private sharedOut = false;
  private runErrors: FrameDecodeError[] | null = null;
  private runFirstIndex = 0;
  private runDone = 0;
  private runStopped = false;
  private readonly onRunValue = (value: unknown): boolean => {
    const errors = this.runErrors!;
    if (errors.length >= this.limits.maxErrorsPerBatch) {
      this.runStopped = true;
      return false; // stops decodeMultiple
    }
    this.accept(value, this.runFirstIndex + this.runDone, this.runFrames!, errors);
    this.runDone++;
    return true;
  };

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
    this.decoder = newNamingDecoder(this.inNames);
    this.fastDecoder = options.fastDecoder === false ? null : new FastFrameDecoder(this.inNames.names);
    this.scanner = new CborScanner(maxDepth);
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
    return { outbound: this.outNames.size, inbound: this.inNames.size };
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
    const frames: Frame[] = [];
    const errors: FrameDecodeError[] = [];
    this.frameCount = 0;
    this.decodeInto(bytes, frames, errors);
    return { frames, errors };
  }

  /**
   * `decodeBatch` into arrays the codec reuses, for a holder that is done with the batch before
   * it decodes the next one (the transport's receive path): no arrays or result object per batch.
   * Undefined while the previous shared batch is not released (use decodeBatch then). Same
   * frames, errors and counters as decodeBatch.
   */
  decodeShared(bytes: Uint8Array): SharedBatch | undefined {
    if (this.sharedOut) return undefined;
    const shared = this.shared;
    this.sharedOut = true;
    this.frameCount = 0;
    this.decodeInto(bytes, shared.frames, shared.errors);
    shared.count = this.frameCount;
    return shared;
  }

  /** The holder of the shared batch is done with it: its frames are let go. */
  releaseShared(): void {
    if (!this.sharedOut) return;
    this.sharedOut = false;
    const shared = this.shared;
    const frames = shared.frames;
    if (frames.length > 4096) shared.frames = []; // a huge batch's slots are not kept
    else frames.fill(undefined as unknown as Frame, 0, shared.count);
    shared.count = 0;
    if (shared.errors.length > 0) shared.errors = [];
  }

  /** The body of decodeBatch: frames go to `frames` from slot `frameCount` on, errors to `errors`. */
  private decodeInto(bytes: Uint8Array, frames: Frame[], errors: FrameDecodeError[]): void {
    if (!(bytes instanceof Uint8Array)) {
      errors.push(new BadFrameError('a batch must be a Uint8Array'));
      this.stats.batchesCorrupt++;
      return;
    }
    if (bytes.length > this.limits.maxBatchBytes) {
      errors.push(new FrameTooLargeError(bytes.length, this.limits.maxBatchBytes));
      this.stats.batchesTooLarge++;
      return;
    }
    const scanner = this.scanner;
    const runEnds = this.runEnds;
    this.runCount = 0;
    if (runEnds.length > 4096) runEnds.length = 0; // a huge batch's offsets are not kept
    let runStart = 0;
    let offset = 0;
    let index = 0;
    scanner.packed = this.inNames.size;
    while (offset < bytes.length) {
      const status = scanner.scanItem(bytes, offset, bytes.length);
      if (status === ITEM_OK) {
        const at = this.runCount++;
        if (at < runEnds.length) runEnds[at] = scanner.end;
        else runEnds.push(scanner.end);
        const names = startsNamesFrame(bytes, offset);
        offset = scanner.end;
        index++;
        if (names) {
          // decode up to this NAMES frame now: the items after it may refer to its entries
          if (!this.decodeRun(bytes, runStart, index - this.runCount, frames, errors)) return;
          scanner.packed = this.inNames.size;
          runStart = offset;
        }
        continue;
      }
      if (!this.decodeRun(bytes, runStart, index - this.runCount, frames, errors)) return;
      if (status === ITEM_FATAL) {
        errors.push(new BadFrameError(`corrupt CBOR: ${scanner.reason}`, { index, offset, bytesLost: bytes.length - offset }));
        this.stats.batchesCorrupt++;
        return;
      }
      if (!this.belowErrorCap(errors, index, offset, bytes.length)) return;
      errors.push(new BadFrameError(`forbidden CBOR: ${scanner.reason}`, { index, offset }));
      this.stats.framesRejected++;
      offset = scanner.end;
      runStart = offset;
      index++;
    }
    this.decodeRun(bytes, runStart, index - this.runCount, frames, errors);
  }

  /**
   * Decode the run of scanned, allowed items from `start` (item number `firstIndex`) to the last
   * end in runEnds, with one cbor-x call. When a tag decoder rejects an item's content, that item
   * is reported and decoding resumes at the next item of the run. An error is only added while
   * fewer than maxErrorsPerBatch are reported; at the cap the rest of the batch is dropped with one
   * final error and this returns false. Empties runEnds.
   */
  private decodeRun(bytes: Uint8Array, start: number, firstIndex: number, frames: Frame[], errors: FrameDecodeError[]): boolean {
    const runEnds = this.runEnds;
    const count = this.runCount;
    const cap = this.limits.maxErrorsPerBatch;
    this.runFrames = frames;
    this.runErrors = errors;
    this.runFirstIndex = firstIndex;
    this.runDone = 0; // items of the run handled so far
    this.runStopped = false;
    const fast = this.fastDecoder;
    if (fast !== null) {
      // the hand-written decoder while it reads the items; cbor-x from the first it leaves on
      while (this.runDone < count) {
        const done = this.runDone;
        let value: unknown;
        try {
          value = fast.decodeFrame(bytes, done === 0 ? start : runEnds[done - 1]!, runEnds[done]!);
        } catch {
          value = BAIL; // it does not throw; should it ever, cbor-x decodes the item
        }
        if (value === BAIL) break;
        if (errors.length >= cap) {
          this.runStopped = true;
          break;
        }
        this.place(value as Frame, frames);
        this.runDone++;
      }
    }
    while (this.runDone < count && !this.runStopped) {
      const done = this.runDone;
      const from = done === 0 ? start : runEnds[done - 1]!;
      const to = runEnds[count - 1]!;
      const source = from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to);
      try {
        this.decoder.decodeMultiple(source, this.onRunValue);
      } catch (error) {
        if (errors.length >= cap) {
          this.runStopped = true;
        } else {
          errors.push(
            new BadFrameError(`malformed term: ${error instanceof Error ? error.message : String(error)}`, {
              index: firstIndex + this.runDone,
              offset: this.runDone === 0 ? start : runEnds[this.runDone - 1]!,
            }),
          );
          this.stats.framesRejected++;
          this.runDone++;
          continue;
        }
      }
      break;
    }
    const done = this.runDone;
    const stopped = this.runStopped;
    const stopOffset = done === 0 ? start : runEnds[done - 1]!;
    this.runCount = 0;
    this.runFrames = null;
    this.runErrors = null;
    // stopped: errors reached the cap, so belowErrorCap reports the rest as dropped and is false
    return stopped ? this.belowErrorCap(errors, firstIndex + done, stopOffset, bytes.length) : true;
  }

  /** False (after reporting the rest of the batch as dropped) once a batch has too many errors. */
  private belowErrorCap(errors: FrameDecodeError[], index: number, offset: number, total: number): boolean {
    if (errors.length < this.limits.maxErrorsPerBatch) return true;
    errors.push(new BadFrameError('too many rejected frames in one batch', { index, offset, bytesLost: total - offset }));
    this.stats.batchesCorrupt++;
    return false;
  }

  /** Validate one decoded value; true when it was a valid frame. */
  private accept(value: unknown, index: number, frames: Frame[], errors: FrameDecodeError[]): boolean {
    if (isNamesValue(value)) {
      const problem = this.inNames.apply(value);
      if (problem === undefined) return true;
      errors.push(new BadFrameError(`bad NAMES frame: ${problem}`, { index }));
      this.stats.framesRejected++;
      return false;
    }
    let result: Frame | BadFrameError | UnknownFrameTypeError;
    try {
      result = frameFromArray(value, index);
    } catch (error) {
      result = new BadFrameError(`validation failed: ${error instanceof Error ? error.message : String(error)}`, { index });
    }
    if (result instanceof BadFrameError || result instanceof UnknownFrameTypeError) {
      errors.push(result);
      this.stats.framesRejected++;
      return false;
    }
    this.place(result, frames);
    return true;
  }

  /** A valid frame decoded: into the next slot of `frames`. */
  private place(frame: Frame, frames: Frame[]): void {
    const at = this.frameCount++;
    if (at < frames.length) frames[at] = frame;
    else frames.push(frame);
    this.stats.framesDecoded++;
  }
}
