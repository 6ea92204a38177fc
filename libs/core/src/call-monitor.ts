import { ExitReasons, type DistFrame, type ExitReason, type Pid, type Ref } from '@sdnode/wire';
import type { Proc } from './process.js';
import type { Destination } from './signals.js';
import type { PendingReceive } from './selective-receive.js';

/**
 * The monitor of a call in flight to a process on another node, kept in a slot of the calling
 * process (`Proc.callMon`, allocated on its first remote call and reused by every later one)
 * instead of an entry in `p.monitors` and in the per-node index: no Map entry, no string key, no
 * record per call (bench/README.md, "Remote call"). One per process: a call made while another
 * is in flight (concurrent calls of one process) takes the ordinary monitor path. It also holds
 * the state of the process's single call in flight (call.ts), local or remote.
 *
 * It is a plain monitor on the wire (MONITOR, DEMONITOR, MONITOR_DOWN with the call's ref), so the
 * peer sees no difference. While active it is linked into its node's list (CallMonitors), so a
 * nodedown still finds every call in flight to that node in O(calls to that node).
 */
export class CallMonitor {
  /** The call's monitor ref; null while the slot is idle. */
  ref: Ref | null = null;
  /** The callee (reported as `target` in the DOWN). */
  target: Pid | null = null;
  prev: CallMonitor | null = null;
  next: CallMonitor | null = null;
  /** The single call in flight (call.ts): its destination, timeout, and whether its monitor is this slot. */
  to: Destination | null = null;
  timeout = 0;
  slotted = false;
  /** What the call's receive settles with, made once per process by call.ts (no closure per call). */
  onAnswer: ((answer: unknown) => unknown) | null = null;
  onFailure: ((error: unknown) => never) | null = null;
  /**
   * The pending receive of the single call, reused by every call of the process, and the
   * resolving functions of the promise the call in flight returned (call.ts, awaitAnswer): the
   * answer's delivery settles that promise directly. `executor` (made once) stores them.
   */
  rx: PendingReceive | null = null;
  resolve: ((value: unknown) => void) | null = null;
  reject: ((error: unknown) => void) | null = null;
  executor: ((resolve: (value: unknown) => void, reject: (error: unknown) => void) => void) | null = null;

  constructor(readonly p: Proc) {}

  get active(): boolean {
    return this.ref !== null;
  }
}

/**
 * The call monitors of a node's processes (Distribution.callMonitors). The active ones are kept per
 * node as intrusive doubly linked lists: adding and removing one allocates nothing (the node's
 * head entry stays in the Map while the connection lives).
 */
export class CallMonitors {
  private readonly heads = new Map<string, CallMonitor | null>();

  /** `send`: queue a frame to a node; false when it cannot be reached. */
  constructor(private readonly send: (node: string, frame: DistFrame) => boolean) {}

  /** `p` monitors the callee `to` for a call; DOWN `noconnection` at once when its node is unreachable. */
  monitor(p: Proc, ref: Ref, to: Pid): void {
    if (!this.send(to.node, { kind: 'monitor', from: p.self, to, ref })) {
      p.deliver({ signal: 'DOWN', ref, target: to, reason: ExitReasons.noconnection });
      return;
    }
    const m = (p.callMon ??= new CallMonitor(p));
    m.ref = ref;
    m.target = to;
    this.add(m);
  }

  /** Drop `p`'s call monitor, if active (DEMONITOR to the callee's node). */
  demonitor(p: Proc): void {
    const m = p.callMon;
    if (m === null || m.ref === null) return;
    const ref = m.ref;
    const target = m.target!;
    this.remove(m);
    m.ref = null;
    m.target = null;
    this.send(target.node, { kind: 'demonitor', from: p.self, to: target, ref });
  }

  /** MONITOR_DOWN for the active call monitor `m`: the caller gets its DOWN. */
  down(m: CallMonitor, reason: ExitReason): void {
    const ref = m.ref!;
    const target = m.target!;
    this.remove(m);
    m.ref = null;
    m.target = null;
    m.p.deliver({ signal: 'DOWN', ref, target, reason });
  }

  /** The connection to `node` is gone: every call in flight there gets DOWN `noconnection`. */
  nodeDown(node: string): void {
    for (const m of this.take(node)) {
      const ref = m.ref!;
      const target = m.target!;
      m.ref = null;
      m.target = null;
      m.p.deliver({ signal: 'DOWN', ref, target, reason: ExitReasons.noconnection });
    }
  }

  /** Link an active monitor (its `target` set) into its node's list. */
  private add(m: CallMonitor): void {
    const node = m.target!.node;
    const head = this.heads.get(node) ?? null;
    m.prev = null;
    m.next = head;
    if (head !== null) head.prev = m;
    this.heads.set(node, m);
  }

  /** Unlink an active monitor. */
  private remove(m: CallMonitor): void {
    if (m.prev !== null) m.prev.next = m.next;
    else if (this.heads.get(m.target!.node) === m) this.heads.set(m.target!.node, m.next);
    if (m.next !== null) m.next.prev = m.prev;
    m.prev = null;
    m.next = null;
  }

  /** Unlink and return every monitor of `node` (its connection is gone). */
  private take(node: string): CallMonitor[] {
    const out: CallMonitor[] = [];
    let m = this.heads.get(node) ?? null;
    this.heads.delete(node);
    while (m !== null) {
      const next = m.next;
      m.prev = null;
      m.next = null;
      out.push(m);
      m = next;
    }
    return out;
  }

  /** Active call monitors towards `node` (tests, metrics). */
  count(node: string): number {
    let n = 0;
    for (let m = this.heads.get(node) ?? null; m !== null; m = m.next) n++;
    return n;
  }
}
