import { Op, type NodeFlags, type RefuseFrame } from '../frames.js';
import {
  checkAddress,
  checkBytes,
  checkNodeName,
  checkUint,
  isPlainObject,
  type FieldProblem,
} from './field-checks.js';
import { defineSchema, type FrameSchema } from './frame-schema.js';
import { FieldLimits as L } from './wire-limits.js';

/**
 * Schemas of the handshake frames (ops 1-6). Node flags travel as an unsigned bit mask
 * (bit 0: hidden); the other bits are reserved and must be zero in version 1.
 */
const FLAG_HIDDEN = 1;

export function flagsToWire(flags: NodeFlags): number {
  return flags.hidden ? FLAG_HIDDEN : 0;
}

/** Decoded flags, or undefined when the mask is not a known one. */
export function flagsFromWire(mask: unknown): NodeFlags | undefined {
  if (mask !== 0 && mask !== FLAG_HIDDEN) return undefined;
  return { hidden: mask === FLAG_HIDDEN };
}

function checkFlags(flags: unknown): FieldProblem {
  return isPlainObject(flags) && typeof flags['hidden'] === 'boolean' ? undefined : 'flags must be {hidden: boolean} (mask 0 or 1 on the wire)';
}

const checkSession = (v: unknown): FieldProblem => checkBytes(v, 'session', L.minSessionBytes, L.maxSessionBytes);
const checkDigest = (v: unknown): FieldProblem => checkBytes(v, 'digest', L.minDigestBytes, L.maxDigestBytes);
const checkChallenge = (v: unknown): FieldProblem => checkBytes(v, 'challenge', L.minChallengeBytes, L.maxChallengeBytes);

export const REFUSE_REASONS: readonly RefuseFrame['reason'][] = ['version', 'not_allowed', 'duplicate', 'simultaneous', 'bad_cookie', 'busy', 'closed'];

/** Every decoded TICK is this object. */
const TICK = Object.freeze({ kind: 'tick' as const });

/** A decoded mask that is not a known flag set becomes a value checkFlags rejects. */
const BAD_FLAGS = Object.freeze({ hidden: 'reserved bits set' }) as unknown as NodeFlags;

export const HANDSHAKE_SCHEMAS: readonly FrameSchema[] = [
  defineSchema<'hello'>({
    op: Op.HELLO,
    kind: 'hello',
    fields: ['version', 'name', 'creation', 'flags', 'address', 'challenge', 'session'],
    extensible: true,
    toArray: (f) => [Op.HELLO, f.version, f.name, f.creation, flagsToWire(f.flags), f.address, f.challenge, f.session],
    fromArray: (a) => ({
      kind: 'hello',
      version: a[1] as number,
      name: a[2] as string,
      creation: a[3] as number,
      flags: flagsFromWire(a[4]) ?? BAD_FLAGS,
      address: a[5] as string,
      challenge: a[6] as Uint8Array,
      session: a[7] as Uint8Array,
    }),
    check: (f) =>
      checkUint(f.version, 'version', L.maxVersion) ??
      checkNodeName(f.name, 'name') ??
      checkUint(f.creation, 'creation', L.maxCreation) ??
      checkFlags(f.flags) ??
      checkAddress(f.address, 'address') ??
      checkChallenge(f.challenge) ??
      checkSession(f.session),
  }),
  defineSchema<'challenge'>({
    op: Op.CHALLENGE,
    kind: 'challenge',
    fields: ['version', 'name', 'creation', 'flags', 'address', 'session', 'digest', 'challenge'],
    extensible: true,
    toArray: (f) => [Op.CHALLENGE, f.version, f.name, f.creation, flagsToWire(f.flags), f.address, f.session, f.digest, f.challenge],
    fromArray: (a) => ({
      kind: 'challenge',
      version: a[1] as number,
      name: a[2] as string,
      creation: a[3] as number,
      flags: flagsFromWire(a[4]) ?? BAD_FLAGS,
      address: a[5] as string,
      session: a[6] as Uint8Array,
      digest: a[7] as Uint8Array,
      challenge: a[8] as Uint8Array,
    }),
    check: (f) =>
      checkUint(f.version, 'version', L.maxVersion) ??
      checkNodeName(f.name, 'name') ??
      checkUint(f.creation, 'creation', L.maxCreation) ??
      checkFlags(f.flags) ??
      checkAddress(f.address, 'address') ??
      checkSession(f.session) ??
      checkDigest(f.digest) ??
      checkChallenge(f.challenge),
  }),
  defineSchema<'challenge_reply'>({
    op: Op.CHALLENGE_REPLY,
    kind: 'challenge_reply',
    fields: ['session', 'digest'],
    extensible: false,
    toArray: (f) => [Op.CHALLENGE_REPLY, f.session, f.digest],
    fromArray: (a) => ({ kind: 'challenge_reply', session: a[1] as Uint8Array, digest: a[2] as Uint8Array }),
    check: (f) => checkSession(f.session) ?? checkDigest(f.digest),
  }),
  defineSchema<'challenge_ack'>({
    op: Op.CHALLENGE_ACK,
    kind: 'challenge_ack',
    fields: ['session'],
    extensible: false,
    toArray: (f) => [Op.CHALLENGE_ACK, f.session],
    fromArray: (a) => ({ kind: 'challenge_ack', session: a[1] as Uint8Array }),
    check: (f) => checkSession(f.session),
  }),
  defineSchema<'refuse'>({
    op: Op.REFUSE,
    kind: 'refuse',
    fields: ['session', 'reason'],
    extensible: false,
    toArray: (f) => [Op.REFUSE, f.session, f.reason],
    fromArray: (a) => ({ kind: 'refuse', session: a[1] as Uint8Array, reason: a[2] as RefuseFrame['reason'] }),
    check: (f) =>
      checkSession(f.session) ??
      ((REFUSE_REASONS as readonly unknown[]).includes(f.reason) ? undefined : `reason must be one of ${REFUSE_REASONS.join(', ')}`),
  }),
  defineSchema<'tick'>({
    op: Op.TICK,
    kind: 'tick',
    fields: [],
    extensible: false,
    toArray: () => [Op.TICK],
    fromArray: () => TICK, // one shared frozen object: ticks cost no allocation
    check: () => undefined,
  }),
];
