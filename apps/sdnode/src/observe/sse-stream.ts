import type { ServerResponse } from 'node:http';
import type { ClusterSnapshot } from './snapshot.js';
import { diffSnapshots, isEmptyDiff } from './snapshot-diff.js';

/**
 * Server-sent events to the open pages: each page gets the whole snapshot when it connects
 * (`event: snapshot`), then one `event: diff` per changed snapshot (SnapshotDiff, applied to the
 * snapshot it holds), and a comment line every `keepAlive` ms so that proxies keep the stream
 * open. A page that misses a diff (its base is not the one it holds) fetches /api/snapshot again.
 */
export class SseStream {
  private readonly clients = new Set<ServerResponse>();
  private last: ClusterSnapshot;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(initial: ClusterSnapshot, keepAlive = 15_000) {
    this.last = initial;
    this.timer = setInterval(() => this.writeAll(': keep-alive\n\n'), keepAlive);
    this.timer.unref();
  }

  /** How many pages listen. */
  get size(): number {
    return this.clients.size;
  }

  /** Take over a response as an event stream; it leaves when the page closes it. */
  add(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    res.on('error', () => this.clients.delete(res));
    write(res, event('snapshot', this.last));
  }

  /** A new snapshot: its diff from the last one goes to every page (nothing when nothing changed). */
  publish(next: ClusterSnapshot): void {
    const diff = diffSnapshots(this.last, next);
    this.last = next;
    if (isEmptyDiff(diff) && diff.base === diff.seq) return;
    this.writeAll(event('diff', diff));
  }

  /** End every stream (the server stops). */
  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private writeAll(text: string): void {
    for (const res of this.clients) write(res, text);
  }
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A page that went away must not break the others: its write errors are ignored (it leaves on 'close'). */
function write(res: ServerResponse, text: string): void {
  if (res.writableEnded || res.destroyed) return;
  try {
    res.write(text);
  } catch {
    // closed meanwhile
  }
}
