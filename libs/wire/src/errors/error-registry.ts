import { RemoteError, SdnodeError, type WireError } from './sdnode-error.js';
import * as processErrors from './process-errors.js';
import * as wireErrors from './wire-errors.js';
import * as connectionErrors from './connection-errors.js';

type Rebuild = (wire: WireError) => SdnodeError;

const classes: ReadonlyArray<abstract new (...args: never[]) => SdnodeError> = [
  ...Object.values(processErrors),
  ...Object.values(wireErrors),
  ...Object.values(connectionErrors),
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
  // `code` is an instance field initialiser; read it from a bare instance without running the constructor's checks.
  const probe = Object.create(cls.prototype) as { code?: string };
  if (typeof probe.code === 'string') return probe.code;
  // Class fields are defined in the constructor: construct with placeholder args.
  const Ctor = cls as unknown as new (...args: unknown[]) => SdnodeError;
  return new Ctor('?', '?', '?').code;
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
