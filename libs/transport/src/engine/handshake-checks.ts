import {
  BadCookieError,
  ConnectionRefusedError,
  HandshakeError,
  isValidNodeName,
  type ChallengeFrame,
  type HelloFrame,
  type RefuseFrame,
} from '@sdnode/wire';
import { isNonce } from '../handshake-digest.js';

const MAX_ADDRESS_LENGTH = 1024;

function isCreation(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function hasFlags(value: unknown): value is { hidden: boolean } {
  return typeof value === 'object' && value !== null && typeof (value as { hidden?: unknown }).hidden === 'boolean';
}

function isAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ADDRESS_LENGTH;
}

/**
 * Shape checks of the handshake frames. The wire codec checks schemas too; these checks also
 * cover the object format (no codec) and protect the state machine from any frame it relies on.
 * A HELLO with an unsupported version is "addressable" (we can tell its sender why) when its
 * name, address and session are well formed.
 */
export function isAddressableHello(f: Partial<HelloFrame>): f is HelloFrame {
  return isValidNodeName(f.name) && isAddress(f.address) && isNonce(f.session);
}

export function isValidHello(f: Partial<HelloFrame>): f is HelloFrame {
  return typeof f.version === 'number' && isAddressableHello(f) && isCreation(f.creation) && hasFlags(f.flags) && isNonce(f.challenge);
}

export function isValidChallenge(f: Partial<ChallengeFrame>): f is ChallengeFrame {
  return (
    typeof f.version === 'number' &&
    isValidNodeName(f.name) &&
    isCreation(f.creation) &&
    hasFlags(f.flags) &&
    isAddress(f.address) &&
    isNonce(f.session) &&
    isNonce(f.challenge) &&
    f.digest instanceof Uint8Array
  );
}

const REFUSE_REASONS: ReadonlySet<unknown> = new Set<RefuseFrame['reason']>([
  'version',
  'not_allowed',
  'duplicate',
  'simultaneous',
  'bad_cookie',
  'busy',
  'closed',
]);

export function isValidRefuse(f: Partial<RefuseFrame>): f is RefuseFrame {
  return isNonce(f.session) && REFUSE_REASONS.has(f.reason);
}

/** The typed error a connect() gets when the peer refused the handshake. */
export function refusalError(node: string, reason: RefuseFrame['reason']): Error {
  switch (reason) {
    case 'bad_cookie':
      return new BadCookieError(node);
    case 'version':
      return new HandshakeError(node, 'the peer does not support our protocol version');
    default:
      return new ConnectionRefusedError(node, reason);
  }
}
