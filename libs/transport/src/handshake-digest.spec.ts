import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { challengeDigest, digestMatches, isNonce, randomNonce } from './handshake-digest.js';

describe('challengeDigest', () => {
  it('matches only for the same cookie, names in the same roles and the same challenge (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.uint8Array({ minLength: 16, maxLength: 32 }), (cookie, other, challenge) => {
        const digest = challengeDigest(cookie, 'b@h', 'a@h', challenge);
        expect(digestMatches(digest, challengeDigest(cookie, 'b@h', 'a@h', Uint8Array.from(challenge)))).toBe(true);
        expect(digestMatches(digest, challengeDigest(cookie, 'a@h', 'b@h', challenge))).toBe(false);
        if (other !== cookie) expect(digestMatches(digest, challengeDigest(other, 'b@h', 'a@h', challenge))).toBe(false);
        const flipped = Uint8Array.from(challenge);
        flipped[0] = flipped[0]! ^ 1;
        expect(digestMatches(digest, challengeDigest(cookie, 'b@h', 'a@h', flipped))).toBe(false);
      }),
    );
  });

  it('is an HMAC-SHA256 (32 bytes) that does not contain the cookie', () => {
    const cookie = 'secret-cookie-value';
    const digest = challengeDigest(cookie, 'b@h', 'a@h', randomNonce());
    expect(digest.byteLength).toBe(32);
    expect(Buffer.from(digest).includes(Buffer.from(cookie))).toBe(false);
  });

  it('rejects received digests of another length or type without throwing', () => {
    const digest = challengeDigest('c', 'b@h', 'a@h', randomNonce());
    expect(digestMatches(digest, digest.subarray(1))).toBe(false);
    expect(digestMatches(digest, 'not bytes')).toBe(false);
    expect(digestMatches(digest, undefined)).toBe(false);
  });

  it('makes fresh 16-byte nonces and checks nonce bounds', () => {
    const a = randomNonce();
    expect(isNonce(a)).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(randomNonce()))).toBe(false);
    expect(isNonce(new Uint8Array(15))).toBe(false);
    expect(isNonce(new Uint8Array(65))).toBe(false);
    expect(isNonce('x'.repeat(16))).toBe(false);
  });
});
