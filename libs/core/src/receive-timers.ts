/**
 * Timeouts of pending receives (and so of calls), without a Node.js timer per receive.
 *
 * A call arms a timeout and, almost always, cancels it a few microseconds later when the reply
 * arrives. A `setTimeout` per receive allocates a Timeout object (and an arguments array) every
 * time, a large share of the garbage of a remote call. Here the pending receives themselves are the
 * list entries: one intrusive, doubly linked list per timeout duration (as Node.js keeps its own
 * timer lists), so arming is an append and cancelling an unlink, with no allocation. Entries of one
 * list are in deadline order, because they share the duration and the clock is monotonic.
 *
 * Each list owns at most one Node.js timer, armed for its head's deadline. A list that becomes
 * empty keeps its timer (the next receive with the same duration, usually a few microseconds away,
 * then needs no new one) but unrefs it, so an idle node does not keep the event loop alive; when it
 * fires with nothing due it is dropped. A timer never fires an entry before its deadline: when it
 * fires early (the event loop's clock is coarser than performance.now), it is re-armed for the rest.
 */

/** The longest delay Node.js timers accept (ms); longer timeouts wait this long. */
const TIMEOUT_MAX = 2 ** 31 - 1;

/** What a list holds: an object with these fields (a PendingReceive). */
export interface TimedEntry {
  deadline: number;
  prev: TimedEntry | null;
  next: TimedEntry | null;
  /** The list the entry is in, null when not armed. */
  list: TimerList | null;
  /** Called once when the deadline has passed (the entry is already unlinked). */
  fire(): void;
}

export class TimerList {
  head: TimedEntry | null = null;
  tail: TimedEntry | null = null;
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Whether the timer holds the event loop (only while the list is not empty). */
  refed = false;

  constructor(readonly ms: number) {}
}

/** The timeout lists of one node (its kernel owns one). */
export class ReceiveTimers {
  private readonly lists = new Map<number, TimerList>();

  /** Arm `entry` to fire after `ms` milliseconds (clamped to 1 .. 2^31-1, as setTimeout does). */
  arm(entry: TimedEntry, ms: number): void {
    if (entry.list !== null) disarm(entry);
    const duration = ms >= 1 ? Math.min(ms, TIMEOUT_MAX) : 1;
    let list = this.lists.get(duration);
    if (list === undefined) {
      list = new TimerList(duration);
      this.lists.set(duration, list);
    }
    entry.deadline = performance.now() + duration;
    entry.list = list;
    entry.next = null;
    entry.prev = list.tail;
    if (list.tail === null) list.head = entry;
    else list.tail.next = entry;
    list.tail = entry;
    if (list.timer === null) {
      list.timer = setTimeout(() => this.expire(list), duration);
      list.refed = true;
    } else if (!list.refed) {
      list.timer.ref();
      list.refed = true;
    }
  }

  /** Disarm `entry` (no-op when it is not armed). */
  cancel(entry: TimedEntry): void {
    disarm(entry);
  }

  /** Entries armed now (for tests and introspection). */
  get size(): number {
    let n = 0;
    for (const list of this.lists.values()) for (let e = list.head; e !== null; e = e.next) n++;
    return n;
  }

  private expire(list: TimerList): void {
    list.timer = null;
    list.refed = false;
    const now = performance.now();
    let due = list.head;
    while (due !== null && due.deadline <= now) {
      disarm(due);
      try {
        due.fire();
      } catch {
        // fire() settles a promise; it does not throw. Keep the other entries going regardless.
      }
      due = list.head;
    }
    if (due === null) {
      this.lists.delete(list.ms);
      return;
    }
    list.timer = setTimeout(() => this.expire(list), Math.max(1, Math.ceil(due.deadline - now)));
    list.refed = true;
  }
}

/** Unlink `entry` from its list (no-op when it is not armed); an emptied list unrefs its timer. */
export function disarm(entry: TimedEntry): void {
  const list = entry.list;
  if (list === null) return;
  if (entry.prev === null) list.head = entry.next;
  else entry.prev.next = entry.next;
  if (entry.next === null) list.tail = entry.prev;
  else entry.next.prev = entry.prev;
  entry.prev = entry.next = null;
  entry.list = null;
  if (list.head === null && list.timer !== null && list.refed) {
    list.timer.unref();
    list.refed = false;
  }
}
