import type { Frame, FrameKind } from '../frames.js';
import { BadFrameError, UnknownFrameTypeError } from '../errors/wire-errors.js';
import type { FrameSchema } from './frame-schema.js';
import { HANDSHAKE_SCHEMAS } from './handshake-schemas.js';
import { DISTRIBUTION_SCHEMAS } from './distribution-schemas.js';

/** Every frame schema, by op (dense array, ops < 64) and by kind. Constant tables. */
const MAX_OP = 63;
const BY_OP: ReadonlyArray<FrameSchema | undefined> = (() => {
  const table: Array<FrameSchema | undefined> = new Array<FrameSchema | undefined>(MAX_OP + 1).fill(undefined);
  for (const s of [...HANDSHAKE_SCHEMAS, ...DISTRIBUTION_SCHEMAS]) table[s.op] = s;
  return table;
})();
/** A frozen null-prototype record: faster than a Map for these few constant string keys. */
const BY_KIND: Readonly<Record<string, FrameSchema | undefined>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, FrameSchema>,
    Object.fromEntries([...HANDSHAKE_SCHEMAS, ...DISTRIBUTION_SCHEMAS].map((s) => [s.kind, s] as const)),
  ),
);

/** The schema of a frame kind (undefined for an unknown kind). */
export function schemaOfKind(kind: string): FrameSchema | undefined {
  return BY_KIND[kind];
}

/** The schema of a numeric op (undefined for an unknown op). */
export function schemaOfOp(op: unknown): FrameSchema | undefined {
  return typeof op === 'number' && op >= 0 && op <= MAX_OP && Number.isInteger(op) ? BY_OP[op] : undefined;
}

/** Every frame kind with its op, for documentation and tests. */
export const FRAME_KINDS: ReadonlyArray<{ readonly kind: FrameKind; readonly op: number; readonly fields: readonly string[] }> = [
  ...HANDSHAKE_SCHEMAS,
  ...DISTRIBUTION_SCHEMAS,
].map((s) => ({ kind: s.kind, op: s.op, fields: s.fields }));

/**
 * Validate a frame object (as built by the application, or decoded) against its kind's schema,
 * strictly. Returns the problem as a BadFrameError (with `kind` and `reason`) or undefined.
 * Term fields (msg, body, args...) are not walked here: see checkSendable.
 */
export function checkFrame(frame: unknown): BadFrameError | UnknownFrameTypeError | undefined {
  if (typeof frame !== 'object' || frame === null) return new BadFrameError('a frame must be an object');
  const kind = (frame as { kind?: unknown }).kind;
  const schema = typeof kind === 'string' ? BY_KIND[kind] : undefined;
  if (!schema) return new UnknownFrameTypeError(typeof kind === 'string' ? kind : String(kind));
  const problem = schema.check(frame as Frame);
  return problem === undefined ? undefined : new BadFrameError(problem, { kind: schema.kind });
}

/** The wire array `[op, ...fields]` of a frame (no checks: use checkFrame first). */
export function frameToArray(frame: Frame): unknown[] {
  const schema = BY_KIND[frame.kind];
  if (!schema) throw new UnknownFrameTypeError(frame.kind);
  return schema.toArray(frame);
}

/**
 * Turn one decoded wire value into a frame, strictly: the value must be an array whose first
 * element is a known op, with exactly the fields of that op (HELLO and CHALLENGE may carry extra
 * trailing fields from later versions), each field valid. Never throws.
 */
export function frameFromArray(value: unknown, index?: number): Frame | BadFrameError | UnknownFrameTypeError {
  const at = index === undefined ? {} : { index };
  if (!Array.isArray(value) || value.length === 0) return new BadFrameError('a frame must be a non-empty array', at);
  const op = value[0] as unknown;
  const schema = schemaOfOp(op);
  if (!schema) {
    return typeof op === 'number' || typeof op === 'string' ? new UnknownFrameTypeError(op) : new BadFrameError('the op must be a number', at);
  }
  const expected = schema.fields.length + 1;
  if (value.length !== expected && !(schema.extensible && value.length > expected)) {
    return new BadFrameError(`${schema.kind} has ${value.length - 1} fields, expected ${expected - 1}`, { kind: schema.kind, ...at });
  }
  const frame = schema.fromArray(value);
  const problem = schema.check(frame);
  return problem === undefined ? frame : new BadFrameError(problem, { kind: schema.kind, ...at });
}
