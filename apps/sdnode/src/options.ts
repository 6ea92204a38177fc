import { InvalidArgumentError, isValidNodeName } from '@sdnode/wire';

/** A ZeroMQ TCP endpoint `tcp://host:port`. */
const TCP_ENDPOINT = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+|\*):(\d{1,5})$/;

export function parseEndpoint(flag: string, value: string): string {
  const m = TCP_ENDPOINT.exec(value);
  if (!m || Number(m[2]) > 65535) {
    throw new InvalidArgumentError(flag, `expected tcp://HOST:PORT (port 0-65535), got "${value}"`);
  }
  return value;
}

/** `NAME=ADDR`, repeatable: where to find a node before anyone has told us. */
export function parseSeed(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('--seed', `expected NAME=tcp://HOST:PORT, got "${value}"`);
  const name = value.slice(0, eq);
  const address = value.slice(eq + 1);
  if (!isValidNodeName(name)) throw new InvalidArgumentError('--seed', `"${name}" is not a node name (name@host)`);
  return { ...previous, [name]: parseEndpoint('--seed', address) };
}

/** A positive duration in milliseconds (accepts a plain number of ms, or with an `s` / `ms` suffix). */
export function parseDurationMs(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(flag, `expected a duration such as 500ms, 15s or 15000, got "${value}"`);
  const ms = m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
  if (!(ms > 0) || !Number.isFinite(ms)) throw new InvalidArgumentError(flag, `must be greater than zero, got "${value}"`);
  return Math.round(ms);
}

/**
 * A node name. `name@host` is kept as is; a bare `name` gets the host of the listen endpoint
 * (or 127.0.0.1 when the endpoint binds every interface), like Erlang's -sname.
 */
export function parseNodeName(value: string, listen?: string): string {
  if (value.includes('@')) {
    if (!isValidNodeName(value)) throw new InvalidArgumentError('--name', `"${value}" is not a valid node name (name@host)`);
    return value;
  }
  const host = listen ? TCP_ENDPOINT.exec(listen)?.[1] : undefined;
  const name = `${value}@${host && host !== '*' && host !== '0.0.0.0' ? host : '127.0.0.1'}`;
  if (!isValidNodeName(name)) throw new InvalidArgumentError('--name', `"${value}" is not a valid node name`);
  return name;
}

export function parseCookie(value: string | undefined, env: NodeJS.ProcessEnv): string {
  const cookie = value ?? env['SDNODE_COOKIE'];
  if (!cookie) throw new InvalidArgumentError('--cookie', 'required (or set SDNODE_COOKIE)');
  return cookie;
}

const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * `--attribute NAME=VALUE`, repeatable: a static placement attribute. `true` and `false` are
 * booleans, a decimal number is a number, anything else a string (`NAME=` is the empty string).
 */
export function parseAttribute(value: string, previous: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const eq = value.indexOf('=');
  const name = eq < 0 ? '' : value.slice(0, eq);
  if (!ATTRIBUTE_NAME.test(name)) throw new InvalidArgumentError('--attribute', `expected NAME=VALUE (a name of letters, digits, _ . -), got "${value}"`);
  const raw = value.slice(eq + 1);
  const parsed = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  return { ...previous, [name]: parsed };
}

/** `--location LEVEL=VALUE`, repeatable: where the node is at one level of the location hierarchy. */
export function parseLocation(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  const level = eq < 0 ? '' : value.slice(0, eq);
  const where = value.slice(eq + 1);
  if (!ATTRIBUTE_NAME.test(level) || where === '') throw new InvalidArgumentError('--location', `expected LEVEL=VALUE (e.g. zone=eu-1), got "${value}"`);
  return { ...previous, [level]: where };
}
