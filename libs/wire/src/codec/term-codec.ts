import { Encoder } from 'cbor-x';
import type { Term } from '../term.js';
import { BadFrameError, FrameTooLargeError, NotSendableError } from '../errors/wire-errors.js';
import { SDNODE_TAGS_REGISTERED } from './cbor-tags.js';
import { CborScanner, ITEM_OK } from './cbor-scanner.js';
import { checkSendable } from './sendability.js';
import { DEFAULT_LIMITS, type WireLimits } from './wire-limits.js';

/**
 * Encodes and decodes a single term with the same encoding, checks and limits as a frame field
 * (for storing terms, hashing them, or tests). The frame codec does not use it.
 */
export class TermCodec {
  readonly limits: WireLimits;
  private readonly encoder = new Encoder({ useRecords: false, mapsAsObjects: true, copyBuffers: true });
  private readonly scanner: CborScanner;

  constructor(limits: Partial<WireLimits> = {}) {
    this.limits = Object.freeze({ ...DEFAULT_LIMITS, ...limits });
    this.scanner = new CborScanner(this.limits.maxDepth);
    void SDNODE_TAGS_REGISTERED;
  }

  /** Encode a term; throws NotSendableError (with the path from `root`) or FrameTooLargeError. */
  encode(value: Term, root = 'term'): Uint8Array {
    const refusal = checkSendable(value, root, this.limits.maxDepth);
    if (refusal) throw refusal;
    let bytes: Uint8Array;
    try {
      bytes = this.encoder.encode(value);
    } catch (error) {
      throw new NotSendableError(root, `the CBOR encoder failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (bytes.length > this.limits.maxBatchBytes) throw new FrameTooLargeError(bytes.length, this.limits.maxBatchBytes);
    return bytes;
  }

  /** Decode exactly one term; returns a typed error instead of throwing. */
  decode(bytes: Uint8Array): { ok: true; value: Term } | { ok: false; error: BadFrameError | FrameTooLargeError } {
    if (bytes.length > this.limits.maxBatchBytes) return { ok: false, error: new FrameTooLargeError(bytes.length, this.limits.maxBatchBytes) };
    if (bytes.length === 0) return { ok: false, error: new BadFrameError('empty input') };
    const status = this.scanner.scanItem(bytes, 0, bytes.length);
    if (status !== ITEM_OK) return { ok: false, error: new BadFrameError(`invalid CBOR: ${this.scanner.reason}`) };
    if (this.scanner.end !== bytes.length) return { ok: false, error: new BadFrameError('trailing bytes after the term', { end: this.scanner.end }) };
    try {
      return { ok: true, value: this.encoder.decode(bytes) as Term };
    } catch (error) {
      return { ok: false, error: new BadFrameError(`malformed term: ${error instanceof Error ? error.message : String(error)}`) };
    }
  }
}
