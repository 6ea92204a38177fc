import { TimerHeap, type HeapItem } from './timer-heap.js';

type Callback = (...args: unknown[]) => void;

/** A timer of the virtual clock: what setTimeout, setInterval and setImmediate return while it is installed. */
export class VirtualTimer implements HeapItem {
  at = 0;
  seq = 0;
  index = -1;
  cleared = false;

  constructor(
    private readonly clock: VirtualClock,
    readonly fn: Callback,
    readonly args: readonly unknown[],
    readonly delay: number,
    readonly repeat: boolean,
    readonly immediate: boolean,
  ) {}

  unref(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  hasRef(): boolean {
    return true;
  }

  /** Restart a timeout from now (Node's `timeout.refresh()`). */
  refresh(): this {
    this.clock.reschedule(this);
    return this;
  }

  [Symbol.toPrimitive](): number {
    return this.seq;
  }
}

interface SavedGlobals {
  readonly setTimeout: typeof globalThis.setTimeout;
  readonly clearTimeout: typeof globalThis.clearTimeout;
  readonly setInterval: typeof globalThis.setInterval;
  readonly clearInterval: typeof globalThis.clearInterval;
  readonly setImmediate: typeof globalThis.setImmediate;
  readonly clearImmediate: typeof globalThis.clearImmediate;
  readonly dateNow: typeof Date.now;
}

/** The clock's epoch: virtual Date.now() starts here (2026-01-01T00:00:00Z), performance.now() at 0. */
export const VIRTUAL_EPOCH = Date.UTC(2026, 0, 1);

/** Real immediates the clock queues at once, one callback each (see VirtualClock.drive). */
const DRIVE_BATCH = 256;

/**
 * Virtual time for running real code deterministically: `install()` replaces the globals
 * setTimeout / setInterval / setImmediate (and their clear functions), `Date.now` and
 * `performance.now` with versions driven by this clock, so that code written against the event
 * loop (the runtime's scheduler, the s_group policy's mesh timer, the registry's settle timers,
 * the transport's ticks) runs in virtual time. Nothing advances on its own: the driver calls
 * `advance`, `until` or `runUntilQuiet`.
 *
 * Each callback is one macrotask: it is called from a real setImmediate (the one the clock saved),
 * so that the promise jobs and process.nextTick callbacks the
 * callback caused run before the next one, exactly as between two macrotasks of a real process.
 * Immediates run before any timer and without advancing time; timers run in order of due time,
 * then of scheduling. Same program, same inputs: same order of callbacks, same results.
 */
export class VirtualClock {
  now = VIRTUAL_EPOCH;
  /** Callbacks run so far (timers, intervals, immediates). */
  events = 0;
  private seq = 0;
  private readonly heap = new TimerHeap<VirtualTimer>();
  private immediates: VirtualTimer[] = [];
  private immediateHead = 0;
  private saved: SavedGlobals | null = null;
  private readonly realSetImmediate = globalThis.setImmediate;

  get installed(): boolean {
    return this.saved !== null;
  }

  /** Timers and immediates waiting. */
  get pending(): number {
    return this.heap.size + this.immediates.length - this.immediateHead;
  }

  install(): this {
    if (this.saved !== null) return this;
    const g = globalThis as unknown as Record<string, unknown>;
    this.saved = {
      setTimeout: globalThis.setTimeout,
      clearTimeout: globalThis.clearTimeout,
      setInterval: globalThis.setInterval,
      clearInterval: globalThis.clearInterval,
      setImmediate: globalThis.setImmediate,
      clearImmediate: globalThis.clearImmediate,
      dateNow: Date.now,
    };
    g['setTimeout'] = (fn: Callback, ms?: number, ...args: unknown[]) => this.schedule(fn, ms, args, false);
    g['setInterval'] = (fn: Callback, ms?: number, ...args: unknown[]) => this.schedule(fn, ms, args, true);
    g['setImmediate'] = (fn: Callback, ...args: unknown[]) => this.immediate(fn, args);
    g['clearTimeout'] = g['clearInterval'] = g['clearImmediate'] = (t: unknown) => this.clear(t);
    Date.now = () => this.now;
    Object.defineProperty(performance, 'now', { value: () => this.now - VIRTUAL_EPOCH, configurable: true, writable: true });
    return this;
  }

  uninstall(): void {
    const s = this.saved;
    if (s === null) return;
    const g = globalThis as unknown as Record<string, unknown>;
    g['setTimeout'] = s.setTimeout;
    g['clearTimeout'] = s.clearTimeout;
    g['setInterval'] = s.setInterval;
    g['clearInterval'] = s.clearInterval;
    g['setImmediate'] = s.setImmediate;
    g['clearImmediate'] = s.clearImmediate;
    Date.now = s.dateNow;
    delete (performance as unknown as Record<string, unknown>)['now'];
    this.saved = null;
  }

  // ---- the timer functions ----

  schedule(fn: Callback, ms: number | undefined, args: readonly unknown[], repeat: boolean): VirtualTimer {
    const delay = Math.max(1, Math.min(Number.isFinite(ms) ? Math.floor(ms as number) : 1, 2 ** 31 - 1));
    const t = new VirtualTimer(this, fn, args, delay, repeat, false);
    t.at = this.now + delay;
    t.seq = ++this.seq;
    this.heap.push(t);
    return t;
  }

  /** Run `fn` at virtual time `at` (not before now; fractions of a ms allowed): the simulated network's deliveries. */
  scheduleAt(at: number, fn: () => void): VirtualTimer {
    const t = new VirtualTimer(this, fn as Callback, [], 0, false, false);
    t.at = Math.max(at, this.now);
    t.seq = ++this.seq;
    this.heap.push(t);
    return t;
  }

  immediate(fn: Callback, args: readonly unknown[]): VirtualTimer {
    const t = new VirtualTimer(this, fn, args, 0, false, true);
    t.seq = ++this.seq;
    this.immediates.push(t);
    return t;
  }

  clear(t: unknown): void {
    if (!(t instanceof VirtualTimer)) return;
    t.cleared = true;
    if (!t.immediate) this.heap.remove(t);
  }

  reschedule(t: VirtualTimer): void {
    if (t.immediate || t.cleared) return;
    this.heap.remove(t);
    t.at = this.now + t.delay;
    t.seq = ++this.seq;
    this.heap.push(t);
  }

  // ---- running ----

  /**
   * Run the callbacks due at or before `limit` (immediates first), each as one real macrotask,
   * until none is due or `stop` says so (asked before each callback, once the previous one's jobs
   * have all run). Each callback is called from its own real setImmediate: Node.js runs the
   * process.nextTick callbacks and then the promise jobs of one immediate before it calls the next
   * (lib/internal/timers.js, processImmediate), so a callback's jobs run after it and before the
   * next callback, as in a real process. Up to DRIVE_BATCH of them are queued at once, so that the
   * real event loop polls for I/O once per batch and not once per callback (the simulation has no
   * I/O): at 10,000 simulated nodes the polls took as long as the callbacks.
   */
  private drive(limit: number, stop?: () => boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let done = false;
      let queued = 0;
      const one = (): void => {
        queued--;
        if (done) return;
        const t = stop?.() === true ? undefined : this.next(limit);
        if (t === undefined) {
          done = true;
          resolve();
          return;
        }
        this.events++;
        try {
          t.fn(...t.args);
        } catch (error) {
          done = true;
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (queued === 0) refill();
      };
      const refill = (): void => {
        for (let i = 0; i < DRIVE_BATCH; i++) this.realSetImmediate(one);
        queued = DRIVE_BATCH;
      };
      refill();
    });
  }

  /** Run everything due within the next `ms` of virtual time; the clock then reads now + ms. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await this.drive(end);
    this.now = Math.max(this.now, end);
  }

  /**
   * Run until `promise` settles and return its value (or throw its error). Throws when it has not
   * settled after `maxMs` of virtual time (or when nothing is left to run).
   */
  async until<T>(promise: Promise<T>, maxMs = 600_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    const end = this.now + maxMs;
    await this.drive(end, () => settled);
    if (!settled) throw new Error(`virtual clock: nothing settled the promise within ${maxMs} ms of virtual time`);
    return watched;
  }

  private next(limit: number): VirtualTimer | undefined {
    while (this.immediateHead < this.immediates.length) {
      const t = this.immediates[this.immediateHead++]!;
      if (this.immediateHead > 4096 && this.immediateHead * 2 > this.immediates.length) {
        this.immediates = this.immediates.slice(this.immediateHead);
        this.immediateHead = 0;
      }
      if (!t.cleared) return t;
    }
    const top = this.heap.peek();
    if (top === undefined || top.at > limit) return undefined;
    this.heap.pop();
    this.now = Math.max(this.now, top.at);
    if (top.repeat) {
      top.at = this.now + top.delay;
      top.seq = ++this.seq;
      this.heap.push(top);
    }
    return top;
  }
}
