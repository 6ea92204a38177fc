import { AbortedError, TimeoutError } from '@sdnode/wire';

export interface WaitUntilOptions {
  /** Give up after this many ms (default 10000). */
  readonly timeout?: number;
  /** Delay between two checks in ms (default 25). */
  readonly interval?: number;
  /** What is awaited, for the error message (default: the condition's source). */
  readonly what?: string;
  readonly signal?: AbortSignal;
}

/**
 * What a condition may answer: `true` or any other truthy value ends the wait (and is returned);
 * `false`, `undefined`, `null`, `0` or `''` mean "not yet". A condition that throws means
 * "not yet" too (a node that is not up yet cannot answer an rpc); its last error is kept for
 * the timeout's message.
 */
export type Condition<T> = () => T | Promise<T>;

/** The value a condition ends the wait with (never a falsy one). */
export type Satisfied<T> = Exclude<T, false | undefined | null | 0 | ''>;

/**
 * Check `condition` until it answers a truthy value and resolve with that value; reject with a
 * TimeoutError naming the condition (and its last error, if it threw) at the deadline, or with
 * AbortedError when `signal` aborts. The way to wait in a test: never sleep.
 *
 * A check that is still running at the deadline is not waited for beyond it.
 */
export async function waitUntil<T>(condition: Condition<T>, options: WaitUntilOptions = {}): Promise<Satisfied<T>> {
  const timeout = options.timeout ?? 10_000;
  const interval = options.interval ?? 25;
  const what = options.what ?? condition.toString();
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted) throw new AbortedError(`waiting until ${what}`);
    const left = deadline - Date.now();
    const outcome = await withinDeadline(condition, left);
    if (outcome.kind === 'value' && outcome.value) return outcome.value as Satisfied<T>;
    if (outcome.kind === 'error') lastError = outcome.error;
    const remaining = deadline - Date.now();
    if (remaining <= 0 || outcome.kind === 'late') {
      const last = lastError === undefined ? '' : ` (last check failed: ${describe(lastError)})`;
      throw new TimeoutError(`waiting until ${what}${last}`, timeout, { what });
    }
    await pause(Math.min(interval, remaining), options.signal);
  }
}

type Outcome<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'late' };

/** Run one check; give up on it (kind `late`) when it outlives the deadline. */
function withinDeadline<T>(condition: Condition<T>, leftMs: number): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'late' }), Math.max(0, leftMs));
    const settle = (o: Outcome<T>): void => {
      clearTimeout(timer);
      resolve(o);
    };
    try {
      Promise.resolve(condition()).then(
        (value) => settle({ kind: 'value', value }),
        (error: unknown) => settle({ kind: 'error', error }),
      );
    } catch (error) {
      settle({ kind: 'error', error });
    }
  });
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
