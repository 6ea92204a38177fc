/**
 * The run queue. JavaScript cannot preempt, so fairness is cooperative and counted in messages:
 *
 * - a process handles at most `processBudget` messages per turn, then goes to the back of the queue;
 * - one drain handles at most `turnBudget` messages (across processes, including exits and
 *   receives resolved inside async bodies); then the scheduler yields with setImmediate so that
 *   network I/O and timers run before the next drain.
 *
 * A drain is started in a microtask while the turn budget lasts (low latency), and with
 * setImmediate once it is spent. The work counter resets in the check phase of the event-loop
 * turn in which it reaches `resetAbove` (1/16 of the budget): a turn that does less leaves its
 * count to the next turns rather than arming an immediate (a setImmediate per turn cost ~115
 * bytes per remote call), so a drain may yield after 15/16 of the budget at the earliest. The microtask
 * is a reaction to a resolved promise rather than a queueMicrotask: Node.js's queueMicrotask
 * wraps every callback in an AsyncResource and a bound function (about 250 bytes against 100;
 * bench/README.md, "Remote call"). drain() never throws, so nothing is lost to a rejection.
 *
 * A long synchronous computation inside one handler still blocks the node, ticks included: use
 * `node.workers` for CPU-heavy work.
 */
export interface SchedulerOptions {
  /** Messages a process may handle before the next process gets its turn (default 500). */
  readonly processBudget?: number;
  /** Messages handled per drain before yielding to I/O and timers (default 20000). */
  readonly turnBudget?: number;
}

/** Something the scheduler runs: returns how much work (messages) it did. */
export interface Schedulable {
  queued: boolean;
  run(budget: number): number;
}

const IDLE = 0;
const SCHEDULED = 1;
const RUNNING = 2;

export class Scheduler<P extends Schedulable> {
  readonly processBudget: number;
  readonly turnBudget: number;
  /**
   * The run queue, `runq[head..tail)`. Its slots are reused from drain to drain (emptying it with
   * `length = 0` would drop its backing store and the next enqueue would allocate a new one).
   */
  private runq: P[] = [];
  private head = 0;
  private tail = 0;
  private exitq: P[] = [];
  private exitHead = 0;
  private state = IDLE;
  private work = 0;
  private resetPending = false;
  /** The work from which the counter's reset is armed (1/16 of turnBudget). */
  private readonly resetAbove: number;
  private stopped = false;
  private readonly drainFn = (): void => this.drain();
  private readonly resolved: Promise<void> = Promise.resolve();
  private readonly resetFn = (): void => {
    this.resetPending = false;
    this.work = 0;
  };

  constructor(
    /** Completes the exit of a process that was marked as exiting. */
    private readonly finish: (p: P) => void,
    /** Told about an exception that escaped run() or finish() (a runtime bug; never user code). */
    private readonly onInternalError: (error: unknown) => void,
    options: SchedulerOptions = {},
  ) {
    this.processBudget = positive(options.processBudget, 500);
    this.turnBudget = positive(options.turnBudget, 20_000);
    this.resetAbove = Math.max(1, Math.floor(this.turnBudget / 16));
  }

  /** Put a process at the back of the run queue. */
  enqueue(p: P): void {
    p.queued = true;
    const at = this.tail++;
    if (at < this.runq.length) this.runq[at] = p;
    else this.runq.push(p);
    if (this.state === IDLE) this.schedule();
  }

  /** Queue the completion of an exit (links, monitors, names); done before running processes. */
  enqueueExit(p: P): void {
    this.exitq.push(p);
    if (this.state === IDLE) this.schedule();
  }

  /** May work be done right now without exceeding the turn budget? */
  hasBudget(): boolean {
    return this.work < this.turnBudget;
  }

  /** Count work done outside a drain (a receive satisfied at once inside an async body). */
  charge(n: number): void {
    this.work += n;
    if (!this.resetPending && this.work >= this.resetAbove) {
      this.resetPending = true;
      setImmediate(this.resetFn);
    }
  }

  get runQueueLength(): number {
    return this.tail - this.head;
  }

  /** Stop scheduling (the node is stopping); queued work is dropped. */
  stop(): void {
    this.stopped = true;
    this.runq = [];
    this.head = 0;
    this.tail = 0;
  }

  /** Run everything queued now, ignoring budgets (used while stopping the node). */
  flushExits(): void {
    while (this.exitHead < this.exitq.length) {
      const p = this.exitq[this.exitHead++]!;
      this.finish(p);
    }
    this.exitq.length = 0;
    this.exitHead = 0;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.state = SCHEDULED;
    if (this.work < this.turnBudget) void this.resolved.then(this.drainFn);
    else setImmediate(this.drainFn);
  }

  private drain(): void {
    if (this.stopped) return;
    this.state = RUNNING;
    const budget = this.processBudget;
    try {
      for (;;) {
        if (this.work >= this.turnBudget) {
          if (!this.resetPending) this.charge(0);
          this.state = SCHEDULED;
          setImmediate(this.drainFn);
          return;
        }
        if (this.exitHead < this.exitq.length) {
          const p = this.exitq[this.exitHead]!;
          this.exitq[this.exitHead++] = undefined as unknown as P;
          this.charge(1);
          this.finish(p);
          continue;
        }
        if (this.exitHead > 0) {
          this.exitq.length = 0;
          this.exitHead = 0;
        }
        const q = this.runq;
        if (this.head >= this.tail) break;
        const p = q[this.head]!;
        q[this.head++] = undefined as unknown as P;
        p.queued = false;
        const n = p.run(budget);
        this.charge(n > 0 ? n : 1);
        if (this.head > 4096 && this.head * 2 > this.tail) {
          q.splice(0, this.head);
          this.tail -= this.head;
          this.head = 0;
        }
      }
      if (this.runq.length > 4096) this.runq = []; // a long queue's slots are not kept
      this.head = 0;
      this.tail = 0;
      this.state = IDLE;
    } catch (e) {
      // run() and finish() catch user errors themselves; reaching here is a runtime bug. Keep the
      // scheduler alive rather than wedging every process on the node.
      this.state = IDLE;
      if (this.runQueueLength > 0 || this.exitHead < this.exitq.length) this.schedule();
      this.onInternalError(e);
    }
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}
