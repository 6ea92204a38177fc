import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import { isValidNodeName } from '../node-name.js';
import { SdnodeError } from '../errors/sdnode-error.js';
import { hasValidIdentity } from './cbor-tags.js';
import { FieldLimits } from './wire-limits.js';

/**
 * Field checks shared by the frame schemas. Each returns a short reason when the field is
 * invalid and undefined when it is fine (no exceptions and no allocation on the happy path).
 */
export type FieldProblem = string | undefined;

export function checkPid(value: unknown, field: string): FieldProblem {
  return value instanceof Pid && hasValidIdentity(value) ? undefined : `${field} must be a pid`;
}

export function checkRef(value: unknown, field: string): FieldProblem {
  return value instanceof Ref && hasValidIdentity(value) ? undefined : `${field} must be a ref`;
}

/** A registered name, process type or channel: a non-empty string of bounded length. */
export function checkName(value: unknown, field: string): FieldProblem {
  return typeof value === 'string' && value.length > 0 && value.length <= FieldLimits.maxNameLength
    ? undefined
    : `${field} must be a string of 1 to ${FieldLimits.maxNameLength} characters`;
}

export function checkPidOrName(value: unknown, field: string): FieldProblem {
  return typeof value === 'string' ? checkName(value, field) : checkPid(value, field) && `${field} must be a pid or a name`;
}

export function checkNodeName(value: unknown, field: string): FieldProblem {
  return isValidNodeName(value) ? undefined : `${field} must be a node name (name@host)`;
}

export function checkAddress(value: unknown, field: string): FieldProblem {
  return typeof value === 'string' && value.length > 0 && value.length <= FieldLimits.maxAddressLength
    ? undefined
    : `${field} must be an address of 1 to ${FieldLimits.maxAddressLength} characters`;
}

export function checkBytes(value: unknown, field: string, min: number, max: number): FieldProblem {
  return value instanceof Uint8Array && value.length >= min && value.length <= max
    ? undefined
    : `${field} must be ${min} to ${max} bytes`;
}

export function checkUint(value: unknown, field: string, max: number): FieldProblem {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
    ? undefined
    : `${field} must be an integer from 0 to ${max}`;
}

export function checkBoolean(value: unknown, field: string): FieldProblem {
  return typeof value === 'boolean' ? undefined : `${field} must be a boolean`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** True when every own key of `value` is one of `allowed`. */
export function hasOnlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  for (const key in value) if (!allowed.includes(key)) return false;
  return true;
}

/** A decoded typed error (SdnodeError) or, on the sending side, anything shaped like WireError. */
export function checkWireError(value: unknown, field: string): FieldProblem {
  if (value instanceof SdnodeError) return undefined;
  if (!isPlainObject(value)) return `${field} must be an error`;
  const { code, message, details } = value;
  if (typeof code !== 'string' || code.length === 0 || code.length > FieldLimits.maxErrorCodeLength) return `${field}.code must be a short string`;
  if (typeof message !== 'string' || message.length > FieldLimits.maxErrorMessageLength) return `${field}.message must be a string`;
  if (!isPlainObject(details)) return `${field}.details must be an object`;
  return undefined;
}

const QUIET_KINDS: readonly string[] = ['normal', 'kill', 'killed', 'noproc', 'noconnection'];
const ERROR_INFO_KEYS: readonly string[] = ['name', 'message', 'stack', 'code'];

function checkErrorInfo(info: unknown, field: string): FieldProblem {
  if (!isPlainObject(info) || !hasOnlyKeys(info, ERROR_INFO_KEYS)) return `${field} must be {name, message, stack?, code?}`;
  if (typeof info['name'] !== 'string' || info['name'].length > FieldLimits.maxNameLength) return `${field}.name must be a short string`;
  if (typeof info['message'] !== 'string' || info['message'].length > FieldLimits.maxErrorMessageLength) return `${field}.message must be a string`;
  for (const key of ['stack', 'code'] as const) {
    const v = info[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > FieldLimits.maxErrorMessageLength)) return `${field}.${key} must be a string`;
  }
  return undefined;
}

/**
 * An ExitReason, strictly: a known kind with exactly the fields of that kind (isExitReason, which
 * core uses on local values, is lenient about extra fields; the wire is not).
 */
export function checkExitReason(value: unknown, field: string): FieldProblem {
  if (!isPlainObject(value)) return `${field} must be an exit reason`;
  const kind = value['kind'];
  if (typeof kind !== 'string') return `${field}.kind must be a string`;
  if (QUIET_KINDS.includes(kind)) return hasOnlyKeys(value, ['kind']) ? undefined : `${field} of kind ${kind} has extra fields`;
  switch (kind) {
    case 'shutdown':
      return hasOnlyKeys(value, ['kind', 'detail']) ? undefined : `${field} of kind shutdown has extra fields`;
    case 'other':
      return hasOnlyKeys(value, ['kind', 'value']) && 'value' in value ? undefined : `${field} of kind other must be {kind, value}`;
    case 'error':
      return hasOnlyKeys(value, ['kind', 'error']) ? checkErrorInfo(value['error'], `${field}.error`) : `${field} of kind error must be {kind, error}`;
    default:
      return `${field}.kind ${JSON.stringify(kind.slice(0, 40))} is not an exit reason`;
  }
}
