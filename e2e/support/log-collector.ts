// Collects one container's output: every line, and the JSON event lines
// (`sdnode start --json` prints one object per event). Tests wait for an event
// matching a predicate with a deadline; a container whose output ends (it
// exited) fails the wait at once instead of at the deadline.
import type { Readable } from 'node:stream';

/** One JSON line with an `event` field. */
export interface NodeEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

export class EventWaitTimeoutError extends Error {
  constructor(label: string, what: string, timeoutMs: number, tail: string) {
    super(`${label}: no ${what} within ${timeoutMs} ms; last output:\n${tail}`);
    this.name = 'EventWaitTimeoutError';
  }
}

export class ContainerExitedError extends Error {
  constructor(label: string, what: string, tail: string) {
    super(`${label}: output ended (container exited) before ${what}; last output:\n${tail}`);
    this.name = 'ContainerExitedError';
  }
}

interface Waiter {
  readonly match: (e: NodeEvent) => boolean;
  readonly resolve: (e: NodeEvent) => void;
  readonly onEnd: () => void;
}

function asEvent(line: string): NodeEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string') {
      return value as NodeEvent;
    }
  } catch {
    // not JSON: kept as a plain line
  }
  return undefined;
}

export class LogCollector {
  readonly lines: string[] = [];
  readonly events: NodeEvent[] = [];
  private partial = '';
  private ended = false;
  private readonly waiters = new Set<Waiter>();

  constructor(readonly label: string) {}

  /** Follow a (utf-8) log stream until it ends. */
  attach(stream: Readable): void {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.push(chunk));
    stream.on('error', (error: Error) => this.addLine(`[log stream error: ${error.message}]`));
    stream.on('end', () => this.end());
    stream.on('close', () => this.end());
  }

  /** Whether the container's output has ended. */
  get hasEnded(): boolean {
    return this.ended;
  }

  /**
   * Resolve with the first event matching `match`, already logged or to come;
   * with `{ newOnly: true }`, only one logged after this call.
   */
  waitFor(
    match: (e: NodeEvent) => boolean,
    what: string,
    timeoutMs: number,
    options: { newOnly?: boolean } = {},
  ): Promise<NodeEvent> {
    const seen = options.newOnly ? undefined : this.events.find(match);
    if (seen) return Promise.resolve(seen);
    if (this.ended) return Promise.reject(new ContainerExitedError(this.label, what, this.tail()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new EventWaitTimeoutError(this.label, what, timeoutMs, this.tail()));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (e) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(e);
        },
        onEnd: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(new ContainerExitedError(this.label, what, this.tail()));
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** The last `n` lines, indented, for error messages. */
  tail(n = 30): string {
    const lines = this.lines.slice(-n);
    return lines.length === 0 ? '    (no output)' : lines.map((l) => `    ${l}`).join('\n');
  }

  /** Everything the container printed, with a header. */
  dump(): string {
    return `----- ${this.label} (${this.lines.length} lines${this.ended ? ', ended' : ''}) -----\n${this.lines.join('\n')}`;
  }

  private push(chunk: string): void {
    const text = this.partial + chunk;
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.addLine(line.replace(/\r$/, ''));
  }

  private addLine(line: string): void {
    if (line === '') return;
    this.lines.push(line);
    const event = asEvent(line);
    if (!event) return;
    this.events.push(event);
    for (const w of [...this.waiters]) if (w.match(event)) w.resolve(event);
  }

  private end(): void {
    if (this.ended) return;
    if (this.partial !== '') this.addLine(this.partial);
    this.partial = '';
    this.ended = true;
    for (const w of [...this.waiters]) w.onEnd();
  }
}
