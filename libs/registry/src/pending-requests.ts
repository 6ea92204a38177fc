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

/**
 * Requests of this node waiting for an answer from another node (claims, forwarded
 * registrations, lookups), by request number. Each ends exactly once: with its answer, its
 * timeout (TimeoutError), its signal (AbortedError), or the scope stopping.
 */
export class PendingRequests<D, T> {
  private next = 0;
  private readonly map = new Map<number, Pending<D, T>>();

  constructor(private readonly defaultTimeout: number) {}

  get size(): number {
    return this.map.size;
  }

  create(operation: string, data: D, options: WaitOptions, details: Record<string, unknown>): { req: number; promise: Promise<T> } {
    const req = ++this.next;
    const promise = new Promise<T>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new AbortedError(operation, details));
        return;
      }
      const timeout = options.timeout ?? this.defaultTimeout;
      const finish = (): boolean => {
        if (!this.map.delete(req)) return false;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (finish()) reject(new AbortedError(operation, details));
      };
      const timer = setTimeout(() => {
        if (finish()) reject(new TimeoutError(operation, timeout, details));
      }, timeout);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.map.set(req, {
        req,
        data,
        resolve: (v) => {
          if (finish()) resolve(v);
        },
        reject: (e) => {
          if (finish()) reject(e);
        },
      });
    });
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
}
