import { InvalidArgumentError } from '@sdnode/wire';

/** A ZeroMQ-style TCP endpoint, `tcp://host:port` (IPv6 hosts in brackets: `tcp://[::1]:4370`). */
export interface TcpEndpoint {
  readonly host: string;
  readonly port: number;
}

const ENDPOINT = /^tcp:\/\/(\[[^\]]+\]|[^:/[\]]+):(\d{1,5})$/;
const WILDCARDS = new Set(['*', '0.0.0.0', '::', '[::]', '[*]']);

/** Parse `tcp://host:port`; throws InvalidArgumentError (naming `option`) for anything else. */
export function parseTcpEndpoint(option: string, text: string): TcpEndpoint {
  const match = ENDPOINT.exec(text);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || !Number.isInteger(port) || port > 65535) {
    throw new InvalidArgumentError(option, `"${text}" is not a TCP endpoint tcp://host:port`);
  }
  let host = match[1]!;
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host === '*') host = '0.0.0.0';
  return { host, port };
}

/** The endpoint text of a host and port (brackets around an IPv6 address). */
export function formatTcpEndpoint(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Whether the endpoint's host is a wildcard (every interface): peers cannot dial it. */
export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host);
}
