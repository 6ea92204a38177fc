import type { Encoder } from 'cbor-x';
import type { Frame } from '../frames.js';
import { BadFrameError, FrameTooLargeError, UnknownFrameTypeError } from '../errors/wire-errors.js';
import { CborScanner, ITEM_FATAL, ITEM_OK } from './cbor-scanner.js';
import { frameFromArray } from './frame-registry.js';
import { InboundNames, isNamesValue, newNamingDecoder, startsNamesFrame } from './node-name-table.js';
import type { WireLimits } from './wire-limits.js';
import { BAIL, FastFrameDecoder } from './fast-frame-decoder.js';
import type { DecodedBatch, FrameCodecStats, FrameDecodeError, SharedBatch } from './frame-codec-types.js';

/**
 * The decoding half of FrameCodec: turns batches (CBOR sequences of frames) into frames, strictly,
 * and holds the epoch's inbound node-name table. The CBOR scanner finds the items and refuses
 * forbidden CBOR; runs of allowed items go to the hand-written SEND decoder while it reads them,
 * and to cbor-x from the first it leaves on. Counts into the codec's stats.
 */
export class BatchDecoder {
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

  constructor(
    private readonly limits: WireLimits,
    private readonly stats: FrameCodecStats,
    fastDecoder: boolean,
  ) {
    this.decoder = newNamingDecoder(this.inNames);
    this.fastDecoder = fastDecoder ? new FastFrameDecoder(this.inNames.names) : null;
    this.scanner = new CborScanner(limits.maxDepth);
  }

  /** Entries of the inbound node-name table. */
  get namesTableSize(): number {
    return this.inNames.size;
  }

  /** FrameCodec.decodeBatch: a batch decoded into new arrays. */
  decodeBatch(bytes: Uint8Array): DecodedBatch {
    const frames: Frame[] = [];
    const errors: FrameDecodeError[] = [];
    this.frameCount = 0;
    this.decodeInto(bytes, frames, errors);
    return { frames, errors };
  }

  /** FrameCodec.decodeShared: a batch decoded into the reused arrays (undefined while they are out). */
  decodeShared(bytes: Uint8Array): SharedBatch | undefined {
    if (this.sharedOut) return undefined;
    const shared = this.shared;
    this.sharedOut = true;
    this.frameCount = 0;
    this.decodeInto(bytes, shared.frames, shared.errors);
    shared.count = this.frameCount;
    return shared;
  }

  /** FrameCodec.releaseShared: the holder of the shared batch is done with it. */
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
