/**
 * How a batch maps onto the parts of one ZeroMQ message (docs/protocols/handshake.md, "Sockets").
 *
 * zeromq.js sends a buffer of more than 128 bytes zero-copy, and releases it once libzmq's I/O
 * thread has sent it by waking the sender's event loop (uv_async) to drop the reference: one more
 * thread wake-up per message, in the middle of the round trip. On this 2-core machine that cost
 * 10-25 us per round trip of a remote call (measured with raw Dealer -> Router round trips:
 * 128-byte messages against 129-byte ones, and 250-byte ones sent whole against split).
 * Buffers of up to 128 bytes are copied instead. So a small batch (up to SPLIT_LIMIT bytes) travels
 * as parts of PART_BYTES bytes (the last one shorter), each copied; the receiver joins them. Larger
 * batches (throughput) go in one zero-copy part: one wake-up per large batch costs nothing.
 */

/** zeromq.js copies buffers up to this size (its zero-copy threshold). */
export const PART_BYTES = 128;
/** Batches above PART_BYTES and up to this size are split. */
export const SPLIT_LIMIT = 1024;

/** The parts to send a batch as: the buffer itself, or views of it of PART_BYTES each. */
export function toParts(batch: Uint8Array): Uint8Array | Uint8Array[] {
  const length = batch.byteLength;
  if (length <= PART_BYTES || length > SPLIT_LIMIT) return batch;
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < length; offset += PART_BYTES) parts.push(batch.subarray(offset, Math.min(offset + PART_BYTES, length)));
  return parts;
}

/**
 * The batch carried by a message received on a Router (`message[0]` is the routing id): its one
 * part, or its parts joined when they have the form toParts gives (every part but the last of
 * PART_BYTES bytes, the last of 1 to PART_BYTES, the total at most SPLIT_LIMIT). Undefined for any
 * other multipart message.
 */
export function fromParts(message: readonly Buffer[]): Buffer | undefined {
  const n = message.length;
  if (n === 2) return message[1]!;
  if (n < 3 || (n - 1) * PART_BYTES > SPLIT_LIMIT + PART_BYTES - 1) return undefined;
  for (let i = 1; i < n - 1; i++) if (message[i]!.byteLength !== PART_BYTES) return undefined;
  const last = message[n - 1]!.byteLength;
  if (last === 0 || last > PART_BYTES || (n - 2) * PART_BYTES + last > SPLIT_LIMIT) return undefined;
  return Buffer.concat(message.slice(1) as Buffer[]);
}
