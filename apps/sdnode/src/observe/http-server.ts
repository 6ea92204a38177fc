import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from '@sdnode/wire';
import { errorText, type ClusterSource } from './cluster-source.js';
import type { ClusterSnapshot } from './snapshot.js';
import { SseStream } from './sse-stream.js';
import { OBSERVE_PAGE } from './page.js';

/**
 * The observer's web server (node:http, no framework):
 *
 * | route | answer |
 * | --- | --- |
 * | `GET /` | the page (one static HTML file with its script) |
 * | `GET /api/snapshot` | the latest ClusterSnapshot (JSON) |
 * | `GET /api/events` | server-sent events: `snapshot`, then `diff` per change |
 * | `GET /api/nodes/NODE/processes?limit=N` | the node's processes, longest mailboxes first |
 * | `GET /api/nodes/NODE/processes/PID` | one process and its Sys status (OTP behaviours) |
 *
 * A node that cannot be asked answers 502 with `{error, name}`; a bad request 400.
 */
export interface ObserveServerOptions {
  /** `HOST:PORT` (port 0: any). */
  readonly host: string;
  readonly port: number;
  /** How long a request to a node may take (ms). */
  readonly timeout: number;
}

export class HttpListenError extends Error {
  override readonly name = 'HttpListenError';
  constructor(host: string, port: number, cause: unknown) {
    super(`cannot serve on ${host}:${port}: ${errorText(cause)}`, { cause });
  }
}

/** `HOST:PORT` (IPv6 in brackets) -> host and port; InvalidArgumentError naming `flag` otherwise. */
export function parseHostPort(flag: string, value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || port > 65535) throw new InvalidArgumentError(flag, `expected HOST:PORT (port 0-65535, 0 = any), got "${value}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Plain JSON of anything a process state may hold (bigint, Map, Set, cycles). */
function toJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v.toString()}n`;
    if (typeof v === 'function') return `[function ${(v as { name?: string }).name ?? ''}]`;
    if (typeof v === 'symbol') return v.toString();
    if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), x]));
    if (v instanceof Set) return [...v];
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[cycle]';
      seen.add(v);
    }
    return v;
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = toJson(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function failure(res: ServerResponse, error: unknown): void {
  // A bad request is the page's fault (400); anything else is the node's: unreachable, too slow, too old (502).
  const status = error instanceof InvalidArgumentError ? 400 : 502;
  send(res, status, { error: errorText(error), name: error instanceof Error ? error.name : 'Error' });
}

export class ObserveServer {
  private readonly sse: SseStream;

  private constructor(
    private readonly server: Server,
    private readonly source: ClusterSource,
    private readonly latest: () => ClusterSnapshot,
    private readonly options: ObserveServerOptions,
  ) {
    this.sse = new SseStream(latest());
  }

  /** Listen on host:port; rejects with HttpListenError (port taken, bad host). */
  static async start(source: ClusterSource, latest: () => ClusterSnapshot, options: ObserveServerOptions): Promise<ObserveServer> {
    const server = createServer();
    const self = new ObserveServer(server, source, latest, options);
    server.on('request', (req, res) => self.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: unknown) => reject(new HttpListenError(options.host, options.port, error));
      server.once('error', onError);
      server.listen(options.port, options.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    return self;
  }

  /** `http://HOST:PORT/`, with the port the OS gave. */
  get url(): string {
    const a = this.server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}/`;
  }

  /** A new snapshot for the open pages. */
  publish(snapshot: ClusterSnapshot): void {
    this.sse.publish(snapshot);
  }

  /** Stop: end the event streams and every connection, within `timeout` ms. */
  async close(timeout = 2000): Promise<void> {
    this.sse.close();
    this.server.closeAllConnections();
    await Promise.race([new Promise<void>((resolve) => this.server.close(() => resolve())), new Promise<void>((resolve) => setTimeout(resolve, timeout).unref())]);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://observer');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET', name: 'MethodNotAllowed' });
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(OBSERVE_PAGE);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/api/snapshot') return send(res, 200, this.latest());
    if (path === '/api/events') return this.sse.add(res);
    const m = /^\/api\/nodes\/([^/]+)\/processes(?:\/([^/]+))?$/.exec(path);
    if (m !== null) {
      const node = decodeURIComponent(m[1]!);
      const pid = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
      void this.nodeRequest(res, node, pid, url.searchParams.get('limit'));
      return;
    }
    send(res, 404, { error: `no ${path}`, name: 'NotFound' });
  }

  private async nodeRequest(res: ServerResponse, node: string, pid: string | undefined, limitText: string | null): Promise<void> {
    const ask = { timeout: this.options.timeout };
    try {
      if (!this.latest().nodes.some((n) => n.name === node)) throw new InvalidArgumentError('node', `${node} is not a node of the cluster observed`);
      if (pid === undefined) {
        const limit = limitText === null ? 1000 : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new InvalidArgumentError('limit', 'an integer 1-100000');
        send(res, 200, await this.source.processes(node, limit, ask));
        return;
      }
      const details = await this.source.process(node, pid, ask);
      if (details === null) return send(res, 404, { error: `no process ${pid} on ${node} (it exited)`, name: 'NoProcess' });
      send(res, 200, details);
    } catch (error) {
      if (!res.headersSent) failure(res, error);
    }
  }
}
