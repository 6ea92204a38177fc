// PROVISIONAL stub so that other packages can build against the API; the wire package replaces
// the internals (strict schema checks, tags for Pid/Ref/errors, limits, sendability check).
import { Encoder, decodeMultiple } from 'cbor-x';
import type { Frame } from '../frames.js';

export interface DecodedBatch {
  /** Valid frames, in order. */
  readonly frames: Frame[];
  /** Typed errors for the parts that were rejected (bad frames are dropped, never thrown). */
  readonly errors: Error[];
}

export interface FrameCodecOptions {
  /** Largest batch accepted by decodeBatch (bytes). */
  readonly maxBatchBytes?: number;
}

/** One codec per connection epoch. */
export class FrameCodec {
  private readonly encoder = new Encoder({ useRecords: false });
  constructor(private readonly options: FrameCodecOptions = {}) {}

  /** Encode one frame; throws NotSendableError when it holds an unsendable value. */
  encode(frame: Frame): Uint8Array {
    return this.encoder.encode(frame);
  }

  /** Join encoded frames into one batch (a CBOR sequence). */
  static concat(chunks: readonly Uint8Array[]): Uint8Array {
    return Buffer.concat(chunks as Uint8Array[]);
  }

  /** Decode a batch; never throws. */
  decodeBatch(bytes: Uint8Array): DecodedBatch {
    const frames: Frame[] = [];
    const errors: Error[] = [];
    try {
      decodeMultiple(bytes, (v: unknown) => {
        frames.push(v as Frame);
      });
    } catch (e) {
      errors.push(e as Error);
    }
    void this.options;
    return { frames, errors };
  }
}
