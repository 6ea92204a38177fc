import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of every challenge and session id a node generates. */
export const CHALLENGE_BYTES = 16;
/** Accepted length range for challenges and session ids received from peers. */
export const MIN_NONCE_BYTES = 16;
export const MAX_NONCE_BYTES = 64;

/**
 * The digest that proves knowledge of the cookie without sending it (docs/protocols/handshake.md):
 * `HMAC-SHA256(cookie, "sdnode-challenge|" + responder + "|" + challenger + "|" + hex(challenge))`.
 * The responder is the node answering the challenge; binding both names stops a digest from being
 * replayed to another node or in the other direction.
 */
export function challengeDigest(cookie: string, responder: string, challenger: string, challenge: Uint8Array): Uint8Array {
  const hmac = createHmac('sha256', cookie);
  hmac.update(`sdnode-challenge|${responder}|${challenger}|${Buffer.from(challenge.buffer, challenge.byteOffset, challenge.byteLength).toString('hex')}`);
  return hmac.digest();
}

/** Constant-time comparison of a received digest against the expected one. */
export function digestMatches(expected: Uint8Array, received: unknown): boolean {
  if (!(received instanceof Uint8Array) || received.byteLength !== expected.byteLength) return false;
  return timingSafeEqual(expected, received);
}

export function randomNonce(): Uint8Array {
  return new Uint8Array(randomBytes(CHALLENGE_BYTES));
}

export function isNonce(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength >= MIN_NONCE_BYTES && value.byteLength <= MAX_NONCE_BYTES;
}

/** Hex form of a session id, used as a map key. */
export function sessionKey(session: Uint8Array): string {
  return Buffer.from(session.buffer, session.byteOffset, session.byteLength).toString('hex');
}
