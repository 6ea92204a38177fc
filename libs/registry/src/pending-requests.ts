import { AbortedError, TimeoutError } from '@sdnode/wire';

export interface WaitOptions {
  /** Milliseconds (default: the scope's requestTimeout). */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

export interface Pending<D, T> {
  readonly req: number;
  readonly data: D;
  resolve(value: T): void;
  reject(error: Error): void;
}

/** One request: its promise's settle functions, its deadline, what its errors name. */
class Request<D, T> implements Pending<D, T> {
  onAbort: (() => void) | null = null;

  constructor(
    private readonly owner: PendingRequests<D, T>,
    readonly req: number,
    readonly data: D,
    readonly deadline: number,
    readonly timeout: number,
    readonly operation: string,
    readonly details: Record<string, unknown>,
    readonly signal: AbortSignal | undefined,
    private readonly settle: (value: T) => void,
    private readonly fail: (error: Error) => void,
  ) {}

  resolve(value: T): void {
    if (this.owner.finish(this)) this.settle(value);
  }

  reject(error: Error): void {
    if (this.owner.finish(this)) this.fail(error);
  }
}

/**
 * Requests of this node waiting for an answer from another node (claims, forwarded
 * registrations, lookups), by request number. Each ends exactly once: with its answer, its
 * timeout (TimeoutError), its signal (AbortedError), or the scope stopping.
 *
 * One timer for all of them, armed for the earliest deadline (not one Node.js timer per request:
 * a batch of 20 000 registrations made 20 000 timers, each set and cleared). When it fires, the
 * requests past their deadline fail and it is armed again for the earliest one left.
 */
export class PendingRequests<D, T> {
  private next = 0;
  private readonly map = new Map<number, Request<D, T>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The deadline the timer is armed for (Date.now() ms). */
  private armedFor = Infinity;

  constructor(
    private readonly defaultTimeout: number,
    /** Called once with a request's data when it ends, however it ends (before its promise settles). */
    private readonly onEnd: ((data: D) => void) | null = null,
  ) {}

  get size(): number {
    return this.map.size;
  }

  create(operation: string, data: D, options: WaitOptions, details: Record<string, unknown>): { req: number; promise: Promise<T> } {
    const req = ++this.next;
    const timeout = options.timeout ?? this.defaultTimeout;
    const signal = options.signal;
    let request: Request<D, T> | undefined;
    const promise = new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortedError(operation, details));
        return;
      }
      request = new Request(this, req, data, Date.now() + timeout, timeout, operation, details, signal, resolve, reject);
    });
    if (request === undefined) return { req, promise };
    const r = request;
    this.map.set(req, r);
    if (signal !== undefined) {
      r.onAbort = () => r.reject(new AbortedError(operation, details));
      signal.addEventListener('abort', r.onAbort, { once: true });
    }
    if (r.deadline < this.armedFor) this.arm(r.deadline);
    return { req, promise };
  }

  get(req: number): Pending<D, T> | undefined {
    return this.map.get(req);
  }

  values(): Pending<D, T>[] {
    return [...this.map.values()];
  }

  rejectAll(error: Error): void {
    for (const p of [...this.map.values()]) p.reject(error);
  }

  /** Remove a request that ends now; false when it had already ended. */
  finish(r: Request<D, T>): boolean {
    if (!this.map.delete(r.req)) return false;
    if (r.onAbort !== null) r.signal?.removeEventListener('abort', r.onAbort);
    if (this.map.size === 0) this.disarm();
    this.onEnd?.(r.data);
    return true;
  }

  private arm(deadline: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.armedFor = deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, deadline - Date.now()));
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  /** The timer fired: fail what is past its deadline, arm again for the earliest deadline left. */
  private expire(): void {
    this.timer = null;
    this.armedFor = Infinity;
    const now = Date.now();
    let earliest = Infinity;
    const expired: Request<D, T>[] = [];
    for (const r of this.map.values()) {
      if (r.deadline <= now) expired.push(r);
      else if (r.deadline < earliest) earliest = r.deadline;
    }
    for (const r of expired) r.reject(new TimeoutError(r.operation, r.timeout, r.details));
    if (earliest < Infinity && this.map.size > 0 && earliest < this.armedFor) this.arm(earliest);
  }
}
