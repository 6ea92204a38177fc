import { describe, expect, it } from 'vitest';
import { curveKeyPair } from 'zeromq';
import { InvalidArgumentError } from '@sdnode/wire';
import { checkCurveKeys, curvePublicKeyOf, generateCurveKeys, isZ85Key } from './curve-keys.js';
import { ZmqTransport } from './zmq-transport.js';

describe('CURVE keys', () => {
  it('derives libzmq\'s public key from the secret key', () => {
    for (let i = 0; i < 20; i++) {
      const pair = curveKeyPair();
      expect(curvePublicKeyOf(pair.secretKey)).toBe(pair.publicKey);
    }
  });

  it('generates Z85 keypairs that check', () => {
    const keys = generateCurveKeys();
    expect(isZ85Key(keys.publicKey)).toBe(true);
    expect(isZ85Key(keys.secretKey)).toBe(true);
    expect(keys.publicKey).not.toBe(keys.secretKey);
    expect(checkCurveKeys(keys)).toEqual(keys);
  });

  it('tells Z85 keys from other text', () => {
    expect(isZ85Key('x'.repeat(40))).toBe(true);
    expect(isZ85Key('x'.repeat(39))).toBe(false);
    expect(isZ85Key(`${'x'.repeat(39)}"`)).toBe(false); // " is not in the alphabet
    expect(isZ85Key(`${'x'.repeat(39)}\n`)).toBe(false);
  });

  it('refuses a public key of another pair, a malformed key and a missing one, without quoting the secret', () => {
    const a = curveKeyPair();
    const b = curveKeyPair();
    expect(() => checkCurveKeys({ publicKey: b.publicKey, secretKey: a.secretKey })).toThrow(/does not belong to the secret key/);
    expect(() => checkCurveKeys({ publicKey: 'short', secretKey: a.secretKey })).toThrow(/public key is not a Z85/);
    expect(() => checkCurveKeys({ publicKey: a.publicKey, secretKey: 'short' })).toThrow(/secret key is not a Z85/);
    expect(() => checkCurveKeys({ publicKey: a.publicKey, secretKey: '#'.repeat(40) })).toThrow(InvalidArgumentError); // above 2^32 per group
    expect(() => checkCurveKeys({ publicKey: a.publicKey } as never)).toThrow(/needs publicKey and secretKey/);
    try {
      checkCurveKeys({ publicKey: b.publicKey, secretKey: a.secretKey });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).not.toContain(a.secretKey);
    }
  });

  it('ZmqTransport refuses a mismatched pair before binding anything', () => {
    const a = curveKeyPair();
    const b = curveKeyPair();
    expect(() => new ZmqTransport({ name: 'a@host', cookie: 'c', curve: { publicKey: b.publicKey, secretKey: a.secretKey } })).toThrow(InvalidArgumentError);
  });
});
