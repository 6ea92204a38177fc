import { RemoteError, SdnodeError, type WireError } from './sdnode-error.js';
import * as processErrors from './process-errors.js';
import * as wireErrors from './wire-errors.js';
import * as connectionErrors from './connection-errors.js';
import * as harnessErrors from './harness-errors.js';
import * as otpErrors from './otp-errors.js';
import * as registryErrors from './registry-errors.js';
import * as sgroupErrors from './sgroup-errors.js';
import * as placementErrors from './placement-errors.js';

type Rebuild = (wire: WireError) => SdnodeError;

/** A placeholder that reads as a string ("?"), joins as an array and spreads as an object. */
const PLACEHOLDER: readonly string[] = Object.freeze(['?']);


const classes: ReadonlyArray<abstract new (...args: never[]) => SdnodeError> = [
  ...Object.values(processErrors),
  ...Object.values(wireErrors),
  ...Object.values(connectionErrors),
  ...Object.values(harnessErrors),
  ...Object.values(otpErrors),
  ...Object.values(registryErrors),
  ...Object.values(sgroupErrors),
  ...Object.values(placementErrors),
] as ReadonlyArray<abstract new (...args: never[]) => SdnodeError>;

/**
 * Rebuild an error received from the wire as its own class when the code is known, keeping
 * the remote message and details; otherwise as a RemoteError with the same code.
 * Built once from the constant list of classes above (immutable, no registration at run time).
 */
const rebuilders: ReadonlyMap<string, Rebuild> = new Map(
  classes.map((cls) => {
    const code = codeOf(cls);
    const rebuild: Rebuild = (wire) => {
      const err = Object.create(cls.prototype) as SdnodeError & { message: string; details: unknown; name: string };
      // `code` is an instance field set by the constructor, which is not run here: define it too
      Object.defineProperty(err, 'code', { value: wire.code, enumerable: true });
      Object.defineProperty(err, 'message', { value: wire.message, writable: true, configurable: true });
      Object.defineProperty(err, 'details', { value: wire.details, enumerable: true });
      Object.defineProperty(err, 'name', { value: cls.name, writable: true, configurable: true });
      for (const [k, v] of Object.entries(wire.details)) {
        if (!(k in err)) Object.defineProperty(err, k, { value: v, enumerable: true });
      }
      Object.defineProperty(err, 'stack', { value: `${cls.name}: ${wire.message}\n    (received from a remote node)`, writable: true, configurable: true });
      return err;
    };
    return [code, rebuild] as const;
  }),
);

function codeOf(cls: abstract new (...args: never[]) => SdnodeError): string {
  // `code` is usually an instance field initialiser; a getter on the prototype is read without constructing.
  const probe = Object.create(cls.prototype) as { code?: unknown };
  if (typeof probe.code === 'string') return probe.code;
  // Class fields are defined by the constructor: construct once with placeholder arguments.
  const Ctor = cls as unknown as new (...args: unknown[]) => SdnodeError;
  let code: unknown;
  try {
    code = new Ctor(PLACEHOLDER, PLACEHOLDER, PLACEHOLDER, PLACEHOLDER).code;
  } catch (error) {
    throw new Error(`error registry: constructing ${cls.name} with placeholder arguments failed (${String(error)})`);
  }
  if (typeof code !== 'string' || code.length === 0) throw new Error(`error registry: ${cls.name} has no string code`);
  return code;
}

/** The codes of every error class rebuilt as its own class (the others become RemoteError). */
export function knownErrorCodes(): readonly string[] {
  return [...rebuilders.keys()];
}

export function errorFromWire(wire: WireError): SdnodeError {
  const rebuild = rebuilders.get(wire.code);
  return rebuild ? rebuild(wire) : new RemoteError(wire.code, wire.message, wire.details);
}

export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['code'] === 'string' && typeof v['message'] === 'string' && typeof v['details'] === 'object' && v['details'] !== null;
}

export { SdnodeError };
