import { TimeoutError } from '@sdnode/wire';

export interface WaitOptions {
  /** Give up after this many ms (default 5000). */
  readonly timeout?: number;
  /** Poll interval in ms (default 5). */
  readonly interval?: number;
  /** Describes the condition in the error. */
  readonly what?: string;
}

/**
 * Wait until `condition()` is true (polling with a deadline); rejects with a TimeoutError that
 * names the condition. The way to wait for something in a test, instead of sleeping.
 */
export async function waitUntil(condition: () => boolean, options: WaitOptions = {}): Promise<void> {
  const timeout = options.timeout ?? 5_000;
  const interval = options.interval ?? 5;
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() >= deadline) throw new TimeoutError(`waiting until ${options.what ?? condition.toString()}`, timeout);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
