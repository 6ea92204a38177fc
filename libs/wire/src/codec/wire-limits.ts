/**
 * Limits enforced by the codec on both directions. The encoder refuses what the decoder would
 * reject, so a frame that leaves one node is never dropped by a peer with the same limits.
 */
export interface WireLimits {
  /** Largest batch (one ZeroMQ message, a CBOR sequence of frames) accepted by decodeBatch. */
  readonly maxBatchBytes: number;
  /** Deepest nesting of arrays, maps and tags inside one frame (the frame array itself is depth 1). */
  readonly maxDepth: number;
  /**
   * Rejected frames reported per batch; past it the rest of the batch is dropped with one more
   * error (a batch of 16 MiB of one-byte garbage items must not become millions of Error objects).
   */
  readonly maxErrorsPerBatch: number;
}

export const DEFAULT_LIMITS: WireLimits = Object.freeze({
  maxBatchBytes: 16 * 1024 * 1024,
  maxDepth: 256,
  maxErrorsPerBatch: 16,
});

/** Length limits of the schema fields, in UTF-16 code units for strings and bytes for binaries. */
export const FieldLimits = Object.freeze({
  /** A registered name, a process type name, a control channel. */
  maxNameLength: 255,
  /** A node's advertised listen address (`tcp://host:port`). */
  maxAddressLength: 1024,
  /** The code of a typed error. */
  maxErrorCodeLength: 64,
  /** The message of an error (name + message of a plain Error as well). */
  maxErrorMessageLength: 64 * 1024,
  /** A handshake challenge (random bytes). */
  minChallengeBytes: 16,
  maxChallengeBytes: 256,
  /** A handshake session id (random bytes). */
  minSessionBytes: 8,
  maxSessionBytes: 256,
  /** An HMAC digest. */
  minDigestBytes: 16,
  maxDigestBytes: 256,
  /** Entries of a NODES frame. */
  maxNodesEntries: 65_536,
  /** Arguments of a SPAWN_REQUEST. */
  maxSpawnArgs: 65_536,
  /** Largest protocol version number, node creation and process/ref id. */
  maxVersion: 0xffff,
  maxCreation: 0xffff_ffff,
  /** Bignums (bigints outside the 64-bit range) are limited to this many bytes of magnitude. */
  maxBignumBytes: 1024,
});
