import { addExtension as addCborExtension } from 'cbor-x';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import { SdnodeError } from '../errors/sdnode-error.js';
import { errorFromWire } from '../errors/error-registry.js';
import { FieldLimits } from './wire-limits.js';

/**
 * The CBOR tags of sdnode terms (docs/protocols/wire-format.md, "Tags").
 *
 * Numbers are taken from IANA's first-come-first-served range (32768 and up), below the range
 * 0xdff9-0xffff that cbor-x uses for its own record/bundle extensions, so each costs 3 bytes
 * (0xd9 + 2). They are not registered with IANA; they only have meaning between sdnode nodes.
 */
export const TAG_PID = 42448;
export const TAG_REF = 42449;
export const TAG_SDNODE_ERROR = 42450;
export const TAG_ERROR = 42451;

export const SdnodeTag = Object.freeze({
  /** `[node: text, id: uint, creation: uint]` */
  PID: TAG_PID,
  /** `[node: text, id: uint, creation: uint]` */
  REF: TAG_REF,
  /** A typed sdnode error: `[code: text, message: text, details: map]`, rebuilt with errorFromWire. */
  SDNODE_ERROR: TAG_SDNODE_ERROR,
  /** Any other Error: `[name: text, message: text]`, rebuilt as the standard class of that name, else an Error with that name. */
  ERROR: TAG_ERROR,
});

/** The tags from RFC 8949 and friends that sdnode terms use (all produced by cbor-x itself). */
export const StandardTag = Object.freeze({
  /** Epoch-based date/time (Date). */
  EPOCH_DATE: 1,
  /** Positive / negative bignum (bigint outside 64 bits). */
  POS_BIGNUM: 2,
  NEG_BIGNUM: 3,
  /** Uint8Array that is not a Buffer (typed array tag for uint8). */
  UINT8_ARRAY: 64,
  /** Set (a CBOR array of unique members). */
  SET: 258,
  /** Map with keys of any type (an explicit map, as opposed to a plain object). */
  MAP: 259,
});

/** Thrown by a tag decoder when the tag content is malformed; caught by the FrameCodec. */
export class TagContentError extends Error {
  constructor(readonly tag: number, reason: string) {
    super(`tag ${tag}: ${reason}`);
    this.name = 'TagContentError';
  }
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isCreation(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= FieldLimits.maxCreation;
}

/**
 * Cheap shape check of a node name inside a pid or ref (the full syntax is checked at handshake);
 * also what a node-name table entry must be (so an entry can never be a key such as __proto__).
 */
export function isNodeField(value: unknown): value is string {
  return typeof value === 'string' && value.length > 2 && value.length <= 384 && value.indexOf('@') > 0;
}

/** True when a Pid or Ref carries fields the decoder would accept (checked before encoding). */
export function hasValidIdentity(value: Pid | Ref): boolean {
  return isNodeField(value.node) && isId(value.id) && isCreation(value.creation);
}

/** The content of a pid or ref tag the decoders accept (identityFields without the array). */
export function isIdentityContent(node: unknown, id: unknown, creation: unknown): node is string {
  return isNodeField(node) && isId(id) && isCreation(creation);
}

function identityFields(tag: number, data: unknown): [string, number, number] {
  if (!Array.isArray(data) || data.length !== 3) throw new TagContentError(tag, 'expected [node, id, creation]');
  const [node, id, creation] = data as [unknown, unknown, unknown];
  if (!isNodeField(node)) throw new TagContentError(tag, 'bad node name');
  if (!isId(id)) throw new TagContentError(tag, 'bad id');
  if (!isCreation(creation)) throw new TagContentError(tag, 'bad creation');
  return [node, id, creation];
}

function isBoundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function decodeSdnodeError(data: unknown): SdnodeError {
  const tag = SdnodeTag.SDNODE_ERROR;
  if (!Array.isArray(data) || data.length !== 3) throw new TagContentError(tag, 'expected [code, message, details]');
  const [code, message, details] = data as [unknown, unknown, unknown];
  if (!isBoundedString(code, FieldLimits.maxErrorCodeLength) || code.length === 0) throw new TagContentError(tag, 'bad code');
  if (!isBoundedString(message, FieldLimits.maxErrorMessageLength)) throw new TagContentError(tag, 'bad message');
  if (!isPlainRecord(details)) throw new TagContentError(tag, 'details must be a map');
  return errorFromWire({ code, message, details });
}

/** Errors of the standard classes come back as that class; any other name as an Error with that name. */
const BUILTIN_ERRORS: ReadonlyMap<string, ErrorConstructor> = new Map<string, ErrorConstructor>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
]);

function decodePlainError(data: unknown): Error {
  const tag = SdnodeTag.ERROR;
  if (!Array.isArray(data) || data.length !== 2) throw new TagContentError(tag, 'expected [name, message]');
  const [name, message] = data as [unknown, unknown];
  if (!isBoundedString(name, FieldLimits.maxNameLength)) throw new TagContentError(tag, 'bad name');
  if (!isBoundedString(message, FieldLimits.maxErrorMessageLength)) throw new TagContentError(tag, 'bad message');
  const Builtin = BUILTIN_ERRORS.get(name);
  const error = Builtin ? new Builtin(message) : new Error(message);
  if (!Builtin) error.name = name;
  error.stack = `${name}: ${message}\n    (received from a remote node)`;
  return error;
}

/** The encoder callback cbor-x hands to an extension: writes one nested value. */
type WriteValue = (value: unknown) => void;

/**
 * What an extension's encode sees as `this`: cbor-x calls it on the Encoder instance, which may
 * carry its connection's outbound node-name table (node-name-table.ts).
 */
interface NamingThis {
  readonly sdnodeNames?: { note(node: string): void };
  /**
   * A scratch `[node, id, creation]` the encoder owns, reused for every pid and ref it writes
   * (cbor-x writes it at once and keeps no reference; a pid holds no pid, so it never nests).
   */
  readonly sdnodeIdentity?: [string, number, number];
}

/** The tag content of a pid or ref, in the encoder's scratch array when it has one. */
function identity(encoder: NamingThis | undefined, value: Pid | Ref): [string, number, number] {
  const scratch = encoder?.sdnodeIdentity;
  if (scratch === undefined) return [value.node, value.id, value.creation];
  scratch[0] = value.node;
  scratch[1] = value.id;
  scratch[2] = value.creation;
  return scratch;
}

/**
 * An extension as cbor-x 1.6 runs it: `encode` writes the tag content through `write` and its
 * return value is ignored (the published typings say otherwise, hence the cast below).
 */
interface TagExtension<T> {
  readonly Class: abstract new (...args: never[]) => T;
  readonly tag: number;
  encode(this: NamingThis | undefined, value: T, write: WriteValue): void;
  decode(data: unknown): T;
}

const addExtension = addCborExtension as unknown as <T>(extension: TagExtension<T>) => void;

/**
 * Register the sdnode tags with cbor-x. cbor-x keeps extensions in process-global tables (there is
 * no per-Encoder registration), so this runs exactly once, as a side effect of loading this module
 * (ES modules are evaluated once per module instance). The tables never change afterwards: there is
 * no run-time mutable state, and every FrameCodec in the process (one per connection, several nodes
 * per process) sees the same, constant tag set.
 *
 * cbor-x checks extension classes in reverse registration order, so Error is registered before
 * SdnodeError (an SdnodeError must match its own tag first).
 *
 * Caveat: two copies of @sdnode/wire loaded in one process (for instance its src and its dist) each
 * register; encoding works for both copies' classes but decoding builds the last copy's classes.
 */
function registerSdnodeTags(): true {
  addExtension<Error>({
    Class: Error,
    tag: SdnodeTag.ERROR,
    encode(error: Error, write: WriteValue) {
      write([String(error.name), String(error.message)]);
    },
    decode: decodePlainError,
  });
  addExtension<SdnodeError>({
    Class: SdnodeError,
    tag: SdnodeTag.SDNODE_ERROR,
    encode(error: SdnodeError, write: WriteValue) {
      write([error.code, error.message, error.details]);
    },
    decode: decodeSdnodeError,
  });
  addExtension<Ref>({
    Class: Ref,
    tag: SdnodeTag.REF,
    encode(this: NamingThis | undefined, ref: Ref, write: WriteValue) {
      this?.sdnodeNames?.note(ref.node);
      write(identity(this, ref));
    },
    decode(data: unknown) {
      const [node, id, creation] = identityFields(SdnodeTag.REF, data);
      return new Ref(node, id, creation);
    },
  });
  addExtension<Pid>({
    Class: Pid,
    tag: SdnodeTag.PID,
    encode(this: NamingThis | undefined, pid: Pid, write: WriteValue) {
      this?.sdnodeNames?.note(pid.node);
      write(identity(this, pid));
    },
    decode(data: unknown) {
      const [node, id, creation] = identityFields(SdnodeTag.PID, data);
      return new Pid(node, id, creation);
    },
  });
  return true;
}

/** Constant marker: importing it guarantees the tags are registered before any encode/decode. */
export const SDNODE_TAGS_REGISTERED: true = registerSdnodeTags();
