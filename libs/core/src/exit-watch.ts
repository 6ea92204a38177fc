import type { ExitReason, Pid } from '@sdnode/wire';
import type { CoreLogger } from './logger.js';

/** Told once when a watched local process has exited (its links and monitors are already done). */
export type ExitListener = (pid: Pid, reason: ExitReason) => void;

/**
 * One node-level observer of local process exits (a name registry's: "which of my named pids
 * died"): a set of pid ids, and a listener the kernel calls once per watched pid that exits.
 * The cheap alternative to a monitor per watched pid: no Ref, no monitor entry on either side,
 * no DOWN message; watching is one Set insertion, each exit one Set deletion per open watch.
 *
 * The listener runs synchronously while the kernel completes the exit (Kernel's exit queue, not
 * inside the code that killed the process); an error it throws is logged and does not stop the
 * exit. A pid is reported at most once per `add`.
 */
export class ExitWatch {
  private readonly ids = new Set<number>();
  private open = true;

  constructor(
    private readonly watches: ExitWatches,
    private readonly listener: ExitListener,
  ) {}

  /**
   * Watch a local process. True when it has not finished exiting: it is reported when it does
   * (also when it is exiting right now). False when there is no such process (it already exited,
   * or `pid` is of another node or an earlier incarnation): it will never be reported, and the
   * caller knows it is dead now.
   */
  add(pid: Pid): boolean {
    if (!this.open || !this.watches.isPresent(pid)) return false;
    this.ids.add(pid.id);
    return true;
  }

  /** Stop watching `pid`; true when it was watched. */
  delete(pid: Pid): boolean {
    return this.watches.isLocal(pid) && this.ids.delete(pid.id);
  }

  has(pid: Pid): boolean {
    return this.watches.isLocal(pid) && this.ids.has(pid.id);
  }

  /** Pids watched now. */
  get size(): number {
    return this.ids.size;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Stop watching everything; the listener is never called again. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.ids.clear();
    this.watches.remove(this);
  }

  /** The kernel: the local process `id` exited. */
  exited(pid: Pid, reason: ExitReason, logger: CoreLogger): void {
    if (!this.ids.delete(pid.id)) return;
    try {
      this.listener(pid, reason);
    } catch (e) {
      logger.error({ err: e, pid: pid.toString() }, 'exit watch listener failed');
    }
  }
}

/** What the watches need to know of the node's processes. */
export interface ExitWatchHost {
  readonly name: string;
  readonly creation: number;
  /** Is there a local process with this pid that has not finished exiting? */
  isPresent(pid: Pid): boolean;
}

/** The open exit watches of one node (usually none or one); the kernel tells them of every exit. */
export class ExitWatches {
  private list: ExitWatch[] = [];

  constructor(
    private readonly host: ExitWatchHost,
    private readonly logger: CoreLogger,
  ) {}

  get size(): number {
    return this.list.length;
  }

  open(listener: ExitListener): ExitWatch {
    const w = new ExitWatch(this, listener);
    this.list = [...this.list, w];
    return w;
  }

  /** A watch closed itself. */
  remove(w: ExitWatch): void {
    this.list = this.list.filter((x) => x !== w);
  }

  isLocal(pid: Pid): boolean {
    return pid.creation === this.host.creation && pid.node === this.host.name;
  }

  isPresent(pid: Pid): boolean {
    return this.isLocal(pid) && this.host.isPresent(pid);
  }

  /** The kernel: `pid` (a local process) has exited. The list is copied on change, so a listener may close or open watches. */
  exited(pid: Pid, reason: ExitReason): void {
    for (const w of this.list) w.exited(pid, reason, this.logger);
  }
}
