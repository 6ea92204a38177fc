// The HTTP endpoint of a node's metrics: where it listens (HOST:PORT, as `sdnode start --metrics`
// takes it), how it answers, and the error when it cannot listen.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { Node } from '@sdnode/core';
import { AbortedError, InvalidArgumentError, SdnodeError } from '@sdnode/wire';
import { NodeMetrics, type NodeMetricsOptions } from './node-metrics.js';

export interface MetricsServerOptions extends NodeMetricsOptions {
  /** Interface to listen on (default 127.0.0.1: metrics are not for everyone; 0.0.0.0 for all). */
  readonly host?: string;
  /** Port; 0 (the default): a free one from the OS (see `port` of the result). */
  readonly port?: number;
  /** Path of the metrics (default /metrics). */
  readonly path?: string;
  /** Serve these metrics (kept open when the server closes) instead of creating the node's. */
  readonly metrics?: NodeMetrics;
  /** Aborting closes the server (and stops listening if it is not listening yet). */
  readonly signal?: AbortSignal;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly host: string;
  /** The bound port (the OS's choice when 0 was asked for). */
  readonly port: number;
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly metrics: NodeMetrics;
  /** Stop serving (open connections are closed) and close the metrics it created. */
  close(): Promise<void>;
}

/**
 * Serve the node's Prometheus metrics over HTTP (node:http): `GET /metrics` in the text
 * exposition format, read when asked. Resolves once listening; rejects with MetricsServerError
 * when it cannot listen, AbortedError when `signal` aborts first, InvalidArgumentError for bad
 * options. The server closes when `signal` aborts, when `close` is called, or when the node stops.
 */
export async function startMetricsServer(node: Node, options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const path = options.path ?? '/metrics';
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new InvalidArgumentError('port', `an integer in 0..65535, got ${String(port)}`);
  if (typeof host !== 'string' || host.length === 0) throw new InvalidArgumentError('host', 'a host name or address');
  if (!path.startsWith('/')) throw new InvalidArgumentError('path', `must start with /, got ${JSON.stringify(path)}`);
  if (options.signal?.aborted) throw new AbortedError('metrics server start');

  const owned = options.metrics === undefined;
  const metrics = options.metrics ?? NodeMetrics.create(node, options);
  const server = createServer((req, res) => void serve(metrics, path, req, res));
  try {
    await listen(server, host, port, options.signal);
  } catch (error) {
    if (owned) metrics.close();
    throw error;
  }

  let closing: Promise<void> | null = null;
  let removeHook = (): void => undefined;
  const onAbort = (): void => void close();
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      removeHook();
      options.signal?.removeEventListener('abort', onAbort);
      if (owned) metrics.close();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  removeHook = node.addShutdownHook('metrics server', close);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) {
    // Aborted between listening and here: no abort event comes any more.
    await close();
    throw new AbortedError('metrics server start', { host, port });
  }

  const bound = (server.address() as AddressInfo).port;
  return { host, port: bound, url: `http://${formatHostPort(host, bound)}${path}`, metrics, close };
}

function listen(server: Server, host: string, port: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      server.off('error', onError);
      server.off('listening', onListening);
      signal?.removeEventListener('abort', onAbort);
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      cleanup();
      reject(new MetricsServerError(host, port, error.code ?? error.message));
    };
    const onListening = (): void => {
      cleanup();
      resolve();
    };
    const onAbort = (): void => {
      cleanup();
      server.close();
      reject(new AbortedError('metrics server start', { host, port }));
    };
    server.once('error', onError);
    server.once('listening', onListening);
    signal?.addEventListener('abort', onAbort, { once: true });
    server.listen({ host, port });
  });
}

async function serve(metrics: NodeMetrics, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://metrics');
  if (url.pathname !== path) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: the metrics are at ${path}\n`);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  if (metrics.isClosed) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('the node is stopping\n');
    return;
  }
  try {
    const body = await metrics.text();
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`collecting the metrics failed: ${(error as Error).message}\n`);
  }
}

/** Where a metrics endpoint listens. */
export interface MetricsAddress {
  readonly host: string;
  /** 0: a port from the OS. */
  readonly port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/**
 * `HOST:PORT` (`127.0.0.1:9464`, `0.0.0.0:0`, `[::1]:9464`, `localhost:9464`; port 0: any free
 * port) as given to `sdnode start --metrics`. Throws InvalidArgumentError naming `argument`.
 */
export function parseMetricsAddress(value: string, argument = '--metrics'): MetricsAddress {
  const bad = (why: string): InvalidArgumentError => new InvalidArgumentError(argument, `${why}, got ${JSON.stringify(value)} (expected HOST:PORT, e.g. 127.0.0.1:9464; port 0: any free port)`);
  if (typeof value !== 'string' || value.length === 0) throw bad('empty');
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]+)$/.exec(value.trim());
  if (m === null) throw bad('not HOST:PORT');
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined ? isIP(host) !== 6 : !(isIP(host) === 4 || HOSTNAME.test(host))) throw bad(`"${host}" is not a host`);
  const port = Number(m[3]);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw bad(`port ${m[3]} is not in 0..65535`);
  return { host, port };
}

/** The URL of a host and port (IPv6 hosts in brackets). */
export function formatHostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** The metrics endpoint could not listen (address in use, not available, not permitted). */
export class MetricsServerError extends SdnodeError {
  readonly code = 'EMETRICSLISTEN';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly reason: string,
  ) {
    super(`metrics endpoint cannot listen on ${host}:${port}: ${reason}`, { host, port, reason });
  }
}
