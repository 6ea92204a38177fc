/**
 * The values of the configuration file: durations, hosts, endpoints, node names, and tolerant
 * reads of the parsed document. The normaliser runs even when the schema found problems (so that
 * semantic problems are reported in the same run); a value of the wrong shape reads as absent,
 * the schema having already said what is wrong with it.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in whole milliseconds: a number of milliseconds, or a string such as `500ms`, `15s`,
 * `1.5m`, `1h`. Undefined when the value is not a duration (negative, not finite, other units).
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DURATION.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

const ENDPOINT = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+|\*):(\d{1,5})$/;

export interface Endpoint {
  /** Without IPv6 brackets. */
  readonly host: string;
  /** Not range-checked: up to 99999 parses, so callers can say "out of range". */
  readonly port: number;
}

/** `tcp://HOST:PORT` (IPv6 in brackets) to its parts; undefined when it is not of that form. */
export function parseEndpoint(value: string): Endpoint | undefined {
  const m = ENDPOINT.exec(value);
  if (!m) return undefined;
  return { host: stripBrackets(m[1] as string), port: Number(m[2]) };
}

/** `tcp://HOST:PORT`, with brackets around an IPv6 host. */
export function formatEndpoint(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export const MAX_PORT = 65535;

export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= MAX_PORT;
}

/** Hosts that bind every interface: fine to listen on, impossible for another node to dial. */
export function isWildcardHost(host: string): boolean {
  const h = stripBrackets(host);
  return h === '*' || h === '0.0.0.0' || (h.includes(':') && /^[0:]+$/.test(h));
}

const FULL_NODE_NAME = /^[A-Za-z0-9_.-]{1,128}@[A-Za-z0-9_.:-]{1,255}$/;

/** `name@host`, the same rule as @sdnode/wire's isValidNodeName (config may not import wire). */
export function isFullNodeName(name: string): boolean {
  return FULL_NODE_NAME.test(name);
}

const NODE_REF = /^[A-Za-z0-9_.-]{1,128}(@[A-Za-z0-9_.:-]{1,255})?$/;

/** `name` or `name@host`: how the file may refer to a node. */
export function isNodeRef(name: string): boolean {
  return NODE_REF.test(name);
}

/** The name part of `name@host` (the whole string for a bare name). */
export function shortName(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/** The host part of `name@host`, undefined for a bare name. */
export function nameHost(name: string): string | undefined {
  const at = name.indexOf('@');
  return at < 0 ? undefined : name.slice(at + 1);
}

// Tolerant reads of the parsed document.

export type RawObject = Readonly<Record<string, unknown>>;

export function asObject(value: unknown): RawObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RawObject) : undefined;
}

export function asArray(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** An integer port 0-65535, else undefined. */
export function asPort(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : undefined;
}

/** Keys of a mapping whose values satisfy `keep`, in order. */
export function entriesOf<T>(value: unknown, keep: (v: unknown) => v is T): [string, T][] {
  const obj = asObject(value);
  if (!obj) return [];
  return Object.entries(obj).filter((e): e is [string, T] => keep(e[1]));
}

export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
