import { InvalidArgumentError } from '@sdnode/wire';
import { andThen, type MaybePromise } from './async.js';

/** What the sys handler needs of a process's code changes (see StagedCodeChange). */
export interface CodeChanger {
  change(to: unknown, extra: unknown): MaybePromise<void>;
  prepare(to: unknown, extra: unknown): MaybePromise<'prepared' | 'current'>;
  commit(): void;
  abort(): void;
}

/**
 * The code-change bookkeeping every behaviour process shares (GenServer, GenStatem): a direct
 * change (`Sys.changeCode`: convert, then adopt at once), and the two-phase change of a node-wide
 * upgrade (`prepare` converts and keeps the result, `commit` adopts it, `abort` drops it) so that
 * a failing codeChange anywhere leaves every process on the old version.
 *
 * `convert` runs the new type's codeChange and throws CodeChangeError/BadReturnError on failure;
 * `adopt` switches the process to the converted type and state.
 */
export class StagedCodeChange<T, C extends { readonly type: T }> implements CodeChanger {
  private pending: C | null = null;

  constructor(
    private readonly current: () => T,
    private readonly convert: (to: unknown, extra: unknown) => MaybePromise<C>,
    private readonly adopt: (change: C) => void,
  ) {}

  /** Convert and switch now; nothing to do when `to` is already the running type. */
  change(to: unknown, extra: unknown): MaybePromise<void> {
    if (to === this.current()) return;
    return andThen(this.convert(to, extra), (change) => this.adopt(change));
  }

  /** Convert and keep the result for commit; `current` when `to` is already the running type. */
  prepare(to: unknown, extra: unknown): MaybePromise<'prepared' | 'current'> {
    this.pending = null;
    if (to === this.current()) return 'current';
    return andThen(this.convert(to, extra), (change) => {
      this.pending = change;
      return 'prepared' as const;
    });
  }

  commit(): void {
    const change = this.pending;
    if (change === null) throw new InvalidArgumentError('commit_code_change', 'no code change is prepared');
    this.pending = null;
    this.adopt(change);
  }

  abort(): void {
    this.pending = null;
  }
}
