// CurveZMQ keys of a cluster (rfc 26/CURVEZMQ): the cluster-wide keypair every node of a CURVE
// cluster serves with, as Z85 text (rfc 32/Z85), generated, checked and compared here.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { curveKeyPair } from 'zeromq';
import { InvalidArgumentError } from '@sdnode/wire';
import type { CurveKeys } from './zmq-carrier.js';

/** The Z85 alphabet (rfc 32): 85 printable characters, 5 of them per 4 bytes. */
const Z85_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
/** A CURVE key (32 bytes) in Z85 is 40 characters. */
export const CURVE_KEY_LENGTH = 40;
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** Is `text` a CURVE key in Z85 (40 characters of the Z85 alphabet)? */
export function isZ85Key(text: string): boolean {
  return Z85_KEY.test(text);
}

/** Decode Z85 text whose length is a multiple of 5 (the caller checked the alphabet). */
function z85Decode(text: string): Buffer {
  const out = Buffer.alloc((text.length / 5) * 4);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) value = value * 85 + Z85_ALPHABET.indexOf(text[i + j] as string);
    if (value > 0xffffffff) throw new InvalidArgumentError('curve', 'not a Z85 key (a group of 5 characters is above 2^32)');
    out.writeUInt32BE(value, (i / 5) * 4);
  }
  return out;
}

function z85Encode(bytes: Buffer): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let value = bytes.readUInt32BE(i);
    let group = '';
    for (let j = 0; j < 5; j++) {
      group = (Z85_ALPHABET[value % 85] as string) + group;
      value = Math.floor(value / 85);
    }
    text += group;
  }
  return text;
}

/** The public key of a CURVE secret key (X25519), both in Z85. Throws InvalidArgumentError for a bad key. */
export function curvePublicKeyOf(secretKey: string): string {
  if (!isZ85Key(secretKey)) throw new InvalidArgumentError('curve', `the secret key is not a Z85 CURVE key (${CURVE_KEY_LENGTH} characters)`);
  const d = z85Decode(secretKey).toString('base64url');
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: '' }, format: 'jwk' });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  if (x === undefined) throw new InvalidArgumentError('curve', 'cannot derive the public key of the secret key');
  return z85Encode(Buffer.from(x, 'base64url'));
}

/**
 * Check a cluster keypair before any socket uses it: both keys Z85 CURVE keys, and the public key
 * the secret key's (a mismatched pair would only show as every handshake failing). Throws
 * InvalidArgumentError (argument `curve`) saying which; never quotes the secret key.
 */
export function checkCurveKeys(keys: CurveKeys): CurveKeys {
  if (typeof keys.publicKey !== 'string' || typeof keys.secretKey !== 'string') {
    throw new InvalidArgumentError('curve', 'needs publicKey and secretKey (Z85 strings)');
  }
  if (!isZ85Key(keys.publicKey)) throw new InvalidArgumentError('curve', `the public key is not a Z85 CURVE key (${CURVE_KEY_LENGTH} characters)`);
  if (curvePublicKeyOf(keys.secretKey) !== keys.publicKey) {
    throw new InvalidArgumentError('curve', 'the public key does not belong to the secret key (they must be one keypair, as made by `sdnode curve keygen`)');
  }
  return keys;
}

/** A new cluster keypair (libzmq's zmq_curve_keypair, through zeromq.js). */
export function generateCurveKeys(): CurveKeys {
  const { publicKey, secretKey } = curveKeyPair();
  return { publicKey, secretKey };
}
