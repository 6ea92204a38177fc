import type { CoreLogger } from './logger.js';

interface ShutdownHook {
  readonly name: string;
  readonly hook: () => void | Promise<void>;
  readonly timeout: number;
}

/**
 * What a node runs when it stops, before its processes are made to exit: the place for an orderly
 * shutdown (the application controller stops its applications there, top-down). Hooks run one at
 * a time, the last added first, each within its timeout; a hook that throws or overruns is logged
 * and the stop goes on.
 */
export class ShutdownHooks {
  private readonly hooks: ShutdownHook[] = [];

  constructor(private readonly logger: CoreLogger) {}

  /** Add a hook (default timeout 30000 ms); returns a function that removes it. */
  add(name: string, hook: () => void | Promise<void>, timeout = 30_000): () => void {
    const entry: ShutdownHook = { name, hook, timeout };
    this.hooks.push(entry);
    return () => {
      const i = this.hooks.indexOf(entry);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** Run every hook once, last added first; the list is empty afterwards. */
  async run(): Promise<void> {
    for (const { name, hook, timeout } of this.hooks.splice(0).reverse()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const overrun = new Promise<'overrun'>((resolve) => (timer = setTimeout(() => resolve('overrun'), timeout)));
      try {
        const outcome = await Promise.race([Promise.resolve().then(hook), overrun]);
        if (outcome === 'overrun') this.logger.warn({ hook: name, timeout }, 'shutdown hook overran its timeout; stopping anyway');
      } catch (e) {
        this.logger.error({ err: e, hook: name }, 'shutdown hook failed');
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
