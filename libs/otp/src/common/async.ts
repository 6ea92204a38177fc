/**
 * Callbacks of the behaviours may answer synchronously or with a promise. The generic parts keep
 * the synchronous path free of promises (a synchronous callback costs no microtask) and switch to
 * promises only when a callback returns one.
 */
export type MaybePromise<T> = T | Promise<T>;

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Apply `f` to `value` now, or when it settles if it is a promise. */
export function andThen<T, U>(value: MaybePromise<T>, f: (t: T) => MaybePromise<U>): MaybePromise<U> {
  if (isThenable(value)) return (value as Promise<T>).then(f);
  return f(value as T);
}

/**
 * Run `f` over `items` in order, one at a time; synchronous as long as `f` is. A promise is
 * returned only from the first item whose `f` returns one.
 */
export function forEachInOrder<T>(items: readonly T[], f: (item: T) => MaybePromise<void>, from = 0): MaybePromise<void> {
  for (let i = from; i < items.length; i++) {
    const r = f(items[i]!);
    if (isThenable(r)) return (r as Promise<void>).then(() => forEachInOrder(items, f, i + 1));
  }
  return undefined;
}
