import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import { SdnodeError } from '../errors/sdnode-error.js';
import { NotSendableError } from '../errors/wire-errors.js';
import { hasValidIdentity } from './cbor-tags.js';
import { DEFAULT_LIMITS, FieldLimits } from './wire-limits.js';

/**
 * The sendability check: can a value travel to another node and come back equal?
 *
 * Sendable: null, undefined, booleans, numbers, strings, bigints (up to FieldLimits.maxBignumBytes),
 * arrays, plain objects (prototype Object.prototype or null; own enumerable string keys), Map, Set,
 * Date, Uint8Array and Buffer, Pid, Ref, SdnodeError (with sendable details) and other Errors
 * (sent as name + message only). Everything else is refused with a NotSendableError that names
 * the path of the offending value, for instance `msg.items[3].fn`: functions, symbols, instances of
 * other classes (including other typed arrays, ArrayBuffer, RegExp, Promise, WeakMap), cycles,
 * nesting deeper than the limit, an own key `__proto__`.
 *
 * Fast path: one recursive walk, no allocation, no Set of visited objects. Cycles are found only
 * when the walk passes the depth limit; a second, slower walk then tells a cycle from deep data.
 * Paths are built only when a value is refused, while the recursion unwinds.
 */

/** A refusal found by the walk; the path segments are collected innermost first. */
interface Refusal {
  readonly reason: string;
  readonly segments: string[];
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const BIGNUM_LIMIT = 1n << BigInt(8 * FieldLimits.maxBignumBytes);

function propertySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}...` : key);
  if (typeof key === 'number' || typeof key === 'boolean' || key === null || key === undefined) return String(key);
  if (typeof key === 'bigint') return `${key}n`;
  if (key instanceof Pid || key instanceof Ref) return key.toString();
  return `<${typeof key}>`;
}

function refuse(reason: string): Refusal {
  return { reason, segments: [] };
}

function className(value: object): string {
  const ctor = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'an unknown class';
}

function walk(value: unknown, depth: number, maxDepth: number): Refusal | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'object':
      return value === null ? undefined : walkObject(value, depth, maxDepth);
    case 'bigint':
      return value < BIGNUM_LIMIT && value > -BIGNUM_LIMIT ? undefined : refuse(`a bigint larger than ${FieldLimits.maxBignumBytes} bytes`);
    case 'function':
      return refuse('a function');
    case 'symbol':
      return refuse('a symbol');
    default:
      return refuse(`a value of type ${typeof value}`);
  }
}

function walkObject(value: object, depth: number, maxDepth: number): Refusal | undefined {
  if (depth >= maxDepth) return refuse(`nesting deeper than ${maxDepth}`);
  const proto = Object.getPrototypeOf(value) as unknown;
  const next = depth + 1;
  if (proto === Object.prototype || proto === null) {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (key === '__proto__') return refuse('an own key "__proto__"');
      const bad = walk(record[key], next, maxDepth);
      if (bad) {
        bad.segments.push(propertySegment(key));
        return bad;
      }
    }
    return undefined;
  }
  if (proto === Array.prototype) {
    const array = value as unknown[];
    for (let i = 0; i < array.length; i++) {
      const bad = walk(array[i], next, maxDepth);
      if (bad) {
        bad.segments.push(`[${i}]`);
        return bad;
      }
    }
    return undefined;
  }
  if (value instanceof Pid || value instanceof Ref) {
    return hasValidIdentity(value) ? undefined : refuse(`a ${value instanceof Pid ? 'Pid' : 'Ref'} with malformed fields`);
  }
  if (value instanceof Uint8Array || value instanceof Date) return undefined;
  if (value instanceof Map) {
    let i = 0;
    for (const [key, entry] of value as Map<unknown, unknown>) {
      let bad = walk(key, next, maxDepth);
      if (bad) {
        bad.segments.push(`.keys()[${i}]`);
        return bad;
      }
      bad = walk(entry, next, maxDepth);
      if (bad) {
        bad.segments.push(`.get(${describeKey(key)})`);
        return bad;
      }
      i++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const member of value as Set<unknown>) {
      const bad = walk(member, next, maxDepth);
      if (bad) {
        bad.segments.push(`.values()[${i}]`);
        return bad;
      }
      i++;
    }
    return undefined;
  }
  if (value instanceof SdnodeError) return walkSdnodeError(value, next, maxDepth);
  if (value instanceof Error) return walkErrorText(value.name, value.message, FieldLimits.maxNameLength);
  return refuse(`an instance of ${className(value)}`);
}

function walkErrorText(name: unknown, message: unknown, maxName: number): Refusal | undefined {
  if (typeof name !== 'string' || name.length > maxName) return refuse('an error whose name is not a short string');
  if (typeof message !== 'string' || message.length > FieldLimits.maxErrorMessageLength) {
    return refuse(`an error whose message is not a string of at most ${FieldLimits.maxErrorMessageLength} characters`);
  }
  return undefined;
}

function walkSdnodeError(error: SdnodeError, depth: number, maxDepth: number): Refusal | undefined {
  const text = walkErrorText(error.code, error.message, FieldLimits.maxErrorCodeLength);
  if (text) return text;
  if (error.code.length === 0) return refuse('an error with an empty code');
  const details = error.details as unknown;
  if (typeof details !== 'object' || details === null) return refuse('an error whose details are not an object');
  const proto = Object.getPrototypeOf(details) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const bad = refuse(`an instance of ${className(details)}`);
    bad.segments.push('.details');
    return bad;
  }
  const bad = walk(details, depth, maxDepth);
  if (bad) bad.segments.push('.details');
  return bad;
}

/** The slow walk, run only after the fast one hit the depth limit: is there a cycle, and where? */
function findCycle(value: unknown, ancestors: Set<object>): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (ancestors.has(value)) return [];
  ancestors.add(value);
  try {
    const children: Array<[string, unknown]> = [];
    if (value instanceof Map) {
      let i = 0;
      for (const [k, v] of value as Map<unknown, unknown>) {
        children.push([`.keys()[${i++}]`, k], [`.get(${describeKey(k)})`, v]);
      }
    } else if (value instanceof Set) {
      let i = 0;
      for (const m of value as Set<unknown>) children.push([`.values()[${i++}]`, m]);
    } else if (Array.isArray(value)) {
      value.forEach((v: unknown, i) => children.push([`[${i}]`, v]));
    } else if (value instanceof SdnodeError) {
      children.push(['.details', value.details]);
    } else if (!(value instanceof Uint8Array || value instanceof Date || value instanceof Error)) {
      for (const key in value) children.push([propertySegment(key), (value as Record<string, unknown>)[key]]);
    }
    for (const [segment, child] of children) {
      const path = findCycle(child, ancestors);
      if (path) return [segment, ...path];
    }
    return undefined;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * Check that `value` can be sent; returns the refusal (with the path from `root`) or undefined.
 * `root` names the value in the path, e.g. `msg`, so a function at `value.items[3].fn` is
 * reported as `msg.items[3].fn`.
 */
export function checkSendable(value: unknown, root = 'msg', maxDepth: number = DEFAULT_LIMITS.maxDepth): NotSendableError | undefined {
  const bad = walk(value, 0, maxDepth);
  if (!bad) return undefined;
  if (bad.reason.startsWith('nesting deeper')) {
    const cycle = findCycle(value, new Set());
    if (cycle) return new NotSendableError(root + cycle.join(''), 'a cycle (the value contains itself)');
  }
  return new NotSendableError(root + bad.segments.reverse().join(''), bad.reason);
}
