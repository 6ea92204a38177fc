import { SdnodeError } from './sdnode-error.js';

/** A value cannot be sent: a function, symbol, unregistered class instance, or a cycle. */
export class NotSendableError extends SdnodeError {
  readonly code = 'ENOTSENDABLE';
  constructor(readonly path: string, readonly reason: string) {
    super(`value at ${path} cannot be sent: ${reason}`, { path, reason });
  }
}

/** Bytes received from a peer are not a valid frame (garbage, truncated, wrong schema). */
export class BadFrameError extends SdnodeError {
  readonly code = 'EBADFRAME';
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(`bad frame: ${reason}`, { reason, ...details });
  }
}

/** A frame or a batch is larger than the configured limit. */
export class FrameTooLargeError extends SdnodeError {
  readonly code = 'EFRAMETOOLARGE';
  constructor(readonly size: number, readonly limit: number) {
    super(`frame of ${size} bytes exceeds the limit of ${limit} bytes`, { size, limit });
  }
}

/** A frame of a type this node does not know. */
export class UnknownFrameTypeError extends SdnodeError {
  readonly code = 'EUNKNOWNFRAME';
  constructor(readonly op: unknown) {
    super(`unknown frame type ${String(op)}`, { op: typeof op === 'number' || typeof op === 'string' ? op : String(op) });
  }
}

/** The peer speaks a protocol version this node does not. */
export class ProtocolVersionError extends SdnodeError {
  readonly code = 'EPROTOVERSION';
  constructor(readonly peerVersion: unknown, readonly supported: readonly number[]) {
    super(`protocol version ${String(peerVersion)} not supported (supported: ${supported.join(', ')})`, {
      peerVersion: String(peerVersion),
      supported: [...supported],
    });
  }
}
