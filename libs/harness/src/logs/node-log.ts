import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AbortedError, NodeExitedError, TimeoutError } from '@sdnode/wire';

/** One JSON line with an `event` field (`sdnode start --json` prints one per event). */
export interface NodeEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

export interface NodeLogWaitOptions {
  /** Deadline in ms (default 30000). */
  readonly timeout?: number;
  /** Only events logged at or after this index of `events` count (`log.events.length`: only new ones). */
  readonly since?: number;
  readonly signal?: AbortSignal;
}

interface Waiter {
  readonly match: (e: NodeEvent) => boolean;
  readonly since: number;
  readonly resolve: (e: NodeEvent) => void;
  readonly fail: (e: Error) => void;
}

/** Parse a line as an event, or undefined for any other output. */
export function parseEvent(line: string): NodeEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string') return value as NodeEvent;
  } catch {
    // not JSON: kept as a plain line
  }
  return undefined;
}

/**
 * Everything one node printed, over all its incarnations (a restart starts a new instance of the
 * log, marked in `lines`): every line, the JSON event lines, and waits for an event with a
 * deadline. A wait fails at once, not at its deadline, when the current instance ends (the node's
 * process or container exited). With a file, every line is also appended to it.
 */
export class NodeLog {
  readonly lines: string[] = [];
  readonly events: NodeEvent[] = [];
  /** Index in `events` of the first event of the current instance. */
  private instanceStart = 0;
  private instanceCount = 0;
  private endStatus: string | undefined = undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(e: NodeEvent) => void>();
  private readonly file: WriteStream | undefined;

  constructor(
    readonly label: string,
    options: { file?: string } = {},
  ) {
    if (options.file !== undefined) {
      mkdirSync(dirname(options.file), { recursive: true });
      this.file = createWriteStream(options.file, { flags: 'a' });
      this.file.on('error', () => undefined); // a full disk must not fail the test run
    }
  }

  /** Start a new instance (a node start or restart); `what` is written as a marker line. */
  beginInstance(what: string): void {
    this.instanceCount++;
    this.instanceStart = this.events.length;
    this.endStatus = undefined;
    this.add(`----- ${this.label}: ${what} (instance ${this.instanceCount}) -----`);
  }

  /** Follow a text stream line by line (stdout, stderr, a container's log stream). */
  follow(stream: Readable): void {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => this.add(line));
    stream.on('error', (error: Error) => this.add(`[log stream error: ${error.message}]`));
  }

  /** Add one line of output (parsed as an event when it is one). */
  add(line: string): void {
    if (line === '') return;
    this.lines.push(line);
    this.file?.write(`${line}\n`);
    const event = parseEvent(line);
    if (event === undefined) return;
    this.events.push(event);
    const index = this.events.length - 1;
    for (const w of [...this.waiters]) if (index >= w.since && w.match(event)) w.resolve(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Call `listener` with every event logged from now on; returns the function that stops it. */
  subscribe(listener: (e: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current instance ended (its process exited); pending waits fail with NodeExitedError. */
  end(status: string): void {
    if (this.endStatus !== undefined) return;
    this.endStatus = status;
    this.add(`----- ${this.label}: ${status} -----`);
    for (const w of [...this.waiters]) w.fail(new NodeExitedError(this.label, `${status}; last output:\n${this.tail()}`));
  }

  get hasEnded(): boolean {
    return this.endStatus !== undefined;
  }

  /** How the current instance ended, if it did. */
  get status(): string | undefined {
    return this.endStatus;
  }

  /** Events of the current instance. */
  currentEvents(): NodeEvent[] {
    return this.events.slice(this.instanceStart);
  }

  /**
   * Resolve with the first event of the current instance matching `match` (already logged or to
   * come; with `since`, only from that index on). Rejects with TimeoutError at the deadline (the
   * message has the last lines), NodeExitedError when the instance ends first, AbortedError on
   * abort.
   */
  waitFor(match: (e: NodeEvent) => boolean, what: string, options: NodeLogWaitOptions = {}): Promise<NodeEvent> {
    const since = Math.max(options.since ?? 0, this.instanceStart);
    const seen = this.events.slice(since).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.endStatus !== undefined) return Promise.reject(new NodeExitedError(this.label, `${this.endStatus}, before ${what}`));
    const timeout = options.timeout ?? 30_000;
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        match,
        since,
        resolve: (e) => (finish(), resolve(e)),
        fail: (e) => (finish(), reject(e)),
      };
      const onAbort = (): void => waiter.fail(new AbortedError(`${this.label}: waiting for ${what}`));
      const timer = setTimeout(
        () => waiter.fail(new TimeoutError(`${this.label}: waiting for ${what}; last output:\n${this.tail()}\n`, timeout)),
        timeout,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** The last `n` lines, indented, for reports. */
  tail(n = 30): string {
    const lines = this.lines.slice(-n);
    return lines.length === 0 ? '    (no output)' : lines.map((l) => `    ${l}`).join('\n');
  }

  /** Everything, with a header. */
  dump(): string {
    return `----- ${this.label} (${this.lines.length} lines${this.hasEnded ? `, ${this.endStatus}` : ''}) -----\n${this.lines.join('\n')}`;
  }

  /** Flush and close the file, if any. */
  close(): Promise<void> {
    const file = this.file;
    if (file === undefined || file.closed) return Promise.resolve();
    return new Promise((resolve) => file.end(() => resolve()));
  }
}
