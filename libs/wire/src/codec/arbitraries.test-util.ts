import fc from 'fast-check';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import type { Term } from '../term.js';
import type { ExitReason } from '../exit-reason.js';
import type { Frame, NodeFlags } from '../frames.js';
import { SdnodeError } from '../errors/sdnode-error.js';
import { NoProcError, TimeoutError, UnknownProcessTypeError, InvalidArgumentError } from '../errors/process-errors.js';
import { RemoteError } from '../errors/sdnode-error.js';
import { REFUSE_REASONS } from './handshake-schemas.js';
import { FieldLimits as L } from './wire-limits.js';

/** Arbitraries for terms and frames, and an exact structural equality for decoded terms. */

/** fc.record with ordinary objects only (the codec delivers null-prototype objects as plain ones). */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, constraints: { requiredKeys?: (keyof T)[] } = {}): fc.Arbitrary<T> {
  const arb = fc.record(model, constraints as unknown as { requiredKeys: [] }) as unknown as fc.Arbitrary<T>;
  return arb.map((o) => ({ ...o }));
}

export const nodeNameArb = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/), fc.constantFrom('127.0.0.1', 'localhost', 'h1.example', '::1'))
  .map(([name, host]) => `${name}@${host}`);

export const pidArb = fc
  .tuple(nodeNameArb, fc.nat(), fc.nat({ max: L.maxCreation }))
  .map(([node, id, creation]) => new Pid(node, id, creation));

export const refArb = fc
  .tuple(nodeNameArb, fc.maxSafeNat(), fc.nat({ max: L.maxCreation }))
  .map(([node, id, creation]) => new Ref(node, id, creation));

export const nameArb = fc.string({ minLength: 1, maxLength: 40 });

const keyArb = fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__');

export const sdnodeErrorArb: fc.Arbitrary<SdnodeError> = fc.oneof(
  fc.tuple(fc.string(), fc.dictionary(keyArb, fc.integer(), { noNullPrototype: true })).map(([target, details]) => new NoProcError(target, details)),
  fc.tuple(fc.string(), fc.nat()).map(([op, ms]) => new TimeoutError(op, ms)),
  fc.tuple(fc.string(), nodeNameArb).map(([t, n]) => new UnknownProcessTypeError(t, n)),
  fc.tuple(fc.string(), fc.string()).map(([a, r]) => new InvalidArgumentError(a, r)),
  fc
    .tuple(fc.stringMatching(/^E[A-Z]{1,20}$/), fc.string(), fc.dictionary(keyArb, fc.oneof(fc.string(), fc.integer(), fc.boolean()), { noNullPrototype: true }))
    .map(([code, message, details]) => new RemoteError(`${code}_REMOTE`, message, details)),
);

export const plainErrorArb: fc.Arbitrary<Error> = fc
  .tuple(fc.constantFrom('Error', 'TypeError', 'RangeError', 'MyError'), fc.string())
  .map(([name, message]) => {
    const e = name === 'TypeError' ? new TypeError(message) : name === 'RangeError' ? new RangeError(message) : new Error(message);
    if (name === 'MyError') e.name = name;
    return e;
  });

export const scalarArb: fc.Arbitrary<Term> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double().filter((d) => !Object.is(d, -0)),
  fc.maxSafeInteger(),
  fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.uint8Array({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  fc.date({ noInvalidDate: true, min: new Date(-1e15), max: new Date(1e15) }),
  pidArb,
  refArb,
  sdnodeErrorArb,
  plainErrorArb,
);

export const termArb: fc.Arbitrary<Term> = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('term'), { maxLength: 5 }),
    fc.dictionary(keyArb, tie('term'), { maxKeys: 5, noNullPrototype: true }),
    fc.array(fc.tuple(tie('term'), tie('term')), { maxLength: 4 }).map((entries) => new Map(entries)),
    fc.array(tie('term'), { maxLength: 4 }).map((members) => new Set(members)),
  ),
})).term;

export const exitReasonArb: fc.Arbitrary<ExitReason> = fc.oneof(
  fc.constantFrom<ExitReason>({ kind: 'normal' }, { kind: 'kill' }, { kind: 'killed' }, { kind: 'noproc' }, { kind: 'noconnection' }),
  fc.constant<ExitReason>({ kind: 'shutdown' }),
  termArb.map((detail): ExitReason => ({ kind: 'shutdown', detail })),
  rec({ name: fc.string({ maxLength: 30 }), message: fc.string(), stack: fc.string(), code: fc.string() }, { requiredKeys: ['name', 'message'] })
    .map((error): ExitReason => ({ kind: 'error', error })),
  termArb.map((value): ExitReason => ({ kind: 'other', value })),
);

const bytesArb = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const sessionArb = bytesArb(L.minSessionBytes, 32);
const digestArb = bytesArb(L.minDigestBytes, 64);
const challengeArb = bytesArb(L.minChallengeBytes, 64);
const flagsArb: fc.Arbitrary<NodeFlags> = fc.boolean().map((hidden) => ({ hidden }));
const addressArb = fc.tuple(fc.constantFrom('127.0.0.1', '127.0.0.2', 'localhost'), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `tcp://${h}:${p}`);
const pidOrNameArb = fc.oneof(pidArb, nameArb);

/** One arbitrary per frame kind (keys are the kinds). */
export const frameArbs: { readonly [K in Frame['kind']]: fc.Arbitrary<Extract<Frame, { kind: K }>> } = {
  hello: rec({
    kind: fc.constant('hello' as const),
    version: fc.nat({ max: L.maxVersion }),
    name: nodeNameArb,
    creation: fc.nat({ max: L.maxCreation }),
    flags: flagsArb,
    address: addressArb,
    challenge: challengeArb,
    session: sessionArb,
  }),
  challenge: rec({
    kind: fc.constant('challenge' as const),
    version: fc.nat({ max: L.maxVersion }),
    name: nodeNameArb,
    creation: fc.nat({ max: L.maxCreation }),
    flags: flagsArb,
    address: addressArb,
    session: sessionArb,
    digest: digestArb,
    challenge: challengeArb,
  }),
  challenge_reply: rec({ kind: fc.constant('challenge_reply' as const), session: sessionArb, digest: digestArb }),
  challenge_ack: rec({ kind: fc.constant('challenge_ack' as const), session: sessionArb }),
  refuse: rec({ kind: fc.constant('refuse' as const), session: sessionArb, reason: fc.constantFrom(...REFUSE_REASONS) }),
  tick: fc.constant({ kind: 'tick' as const }),
  send: rec({ kind: fc.constant('send' as const), to: pidArb, msg: termArb }),
  reg_send: rec({ kind: fc.constant('reg_send' as const), from: pidArb, name: nameArb, msg: termArb }),
  link: rec({ kind: fc.constant('link' as const), from: pidArb, to: pidArb }),
  unlink: rec({ kind: fc.constant('unlink' as const), from: pidArb, to: pidArb }),
  exit: rec({ kind: fc.constant('exit' as const), from: pidArb, to: pidArb, reason: exitReasonArb }),
  exit2: rec({ kind: fc.constant('exit2' as const), from: pidArb, to: pidArb, reason: exitReasonArb }),
  monitor: rec({ kind: fc.constant('monitor' as const), from: pidArb, to: pidOrNameArb, ref: refArb }),
  demonitor: rec({ kind: fc.constant('demonitor' as const), from: pidArb, to: pidOrNameArb, ref: refArb }),
  monitor_down: rec({ kind: fc.constant('monitor_down' as const), from: pidOrNameArb, to: pidArb, ref: refArb, reason: exitReasonArb }),
  spawn_request: rec({
    kind: fc.constant('spawn_request' as const),
    ref: refArb,
    from: pidArb,
    type: nameArb,
    args: fc.array(termArb, { maxLength: 4 }),
    opts: rec({ link: fc.boolean(), name: nameArb, monitor: fc.boolean() }, { requiredKeys: [] }),
  }),
  spawn_reply: rec({ kind: fc.constant('spawn_reply' as const), ref: refArb, to: pidArb, result: fc.oneof(pidArb, sdnodeErrorArb) }),
  nodes: rec({
    kind: fc.constant('nodes' as const),
    nodes: fc.array(rec({ name: nodeNameArb, address: addressArb }), { maxLength: 6 }),
  }),
  control: rec({ kind: fc.constant('control' as const), channel: nameArb, body: termArb }),
};

export const anyFrameArb: fc.Arbitrary<Frame> = fc.oneof(...(Object.values(frameArbs) as fc.Arbitrary<Frame>[]));

/**
 * Exact equality of terms as the codec promises to preserve them: same types (Buffer stays
 * Buffer, Uint8Array stays Uint8Array, Map stays Map...), numbers compared with Object.is, Pids and
 * Refs by value, SdnodeErrors by class, code, message and details, other Errors by name and message.
 * Returns the path of the first difference, or undefined.
 */
export function termDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== typeof b) return `${path}: type ${typeof a} vs ${typeof b}`;
  if (typeof a !== 'object' || a === null || b === null) return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  const bo = b as object;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(bo)) return `${path}: prototype ${a.constructor?.name} vs ${bo.constructor?.name}`;
  if (a instanceof Pid || a instanceof Ref) return a.equals(bo) ? undefined : `${path}: ${a.toString()} vs ${String(bo)}`;
  if (a instanceof Date) return Object.is(a.getTime(), (bo as Date).getTime()) ? undefined : `${path}: date`;
  if (a instanceof Uint8Array) return Buffer.compare(a, bo as Uint8Array) === 0 ? undefined : `${path}: bytes`;
  if (a instanceof SdnodeError) {
    const e = bo as SdnodeError;
    if (a.code !== e.code || a.message !== e.message || a.name !== e.name) return `${path}: error ${a.code}/${a.message} vs ${e.code}/${e.message}`;
    return termDifference(a.details, e.details, `${path}.details`);
  }
  if (a instanceof Error) {
    const e = bo as Error;
    return a.name === e.name && a.message === e.message ? undefined : `${path}: error ${a.name} vs ${e.name}`;
  }
  if (a instanceof Map || a instanceof Set || Array.isArray(a)) {
    const ae = a instanceof Map ? [...a.entries()].flat() : [...(a as Iterable<unknown>)];
    const be = bo instanceof Map ? [...bo.entries()].flat() : [...(bo as Iterable<unknown>)];
    if (ae.length !== be.length) return `${path}: size ${ae.length} vs ${be.length}`;
    for (let i = 0; i < ae.length; i++) {
      const d = termDifference(ae[i], be[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const ak = Object.keys(a);
  const bk = Object.keys(bo);
  if (ak.join('\u0000') !== bk.join('\u0000')) return `${path}: keys ${ak.join(',')} vs ${bk.join(',')}`;
  for (const k of ak) {
    const d = termDifference((a as Record<string, unknown>)[k], (bo as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}
