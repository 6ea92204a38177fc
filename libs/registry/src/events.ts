import type { Node } from '@sdnode/core';
import type { Pid, Term } from '@sdnode/wire';
import type { CoreLogger } from '@sdnode/core';

/** Why a name left a node's view of the scope. */
export type UnregisterReason = 'unregistered' | 'replaced' | 'died' | 'nodedown' | 'conflict';

/**
 * What a scope tells its subscribers (callbacks, or processes as messages with `registry` set to
 * the event name). Events describe this node's view: in partitioned mode, what this node holds.
 */
export type RegistryEvent =
  | { readonly registry: 'registered'; readonly scope: string; readonly name: string; readonly pid: Pid; readonly meta: Term | null }
  | { readonly registry: 'unregistered'; readonly scope: string; readonly name: string; readonly pid: Pid; readonly reason: UnregisterReason }
  | { readonly registry: 'conflict'; readonly scope: string; readonly name: string; readonly winner: Pid | null; readonly losers: readonly Pid[] };

/** A process group changed: pids joined or left (pg's monitor messages). */
export type GroupEvent = {
  readonly registry: 'join' | 'leave';
  readonly scope: string;
  readonly group: string;
  readonly pids: readonly Pid[];
};

export type Listener<E> = (event: E) => void;

/**
 * Callbacks and processes subscribed to some events. A callback that throws is logged and
 * kept; a process subscriber that exited is dropped when its message cannot be delivered.
 */
export class Subscribers<E extends object> {
  private readonly callbacks = new Set<Listener<E>>();
  private readonly pids = new Map<string, Pid>();

  constructor(
    private readonly node: Node,
    private readonly logger: CoreLogger,
  ) {}

  get size(): number {
    return this.callbacks.size + this.pids.size;
  }

  add(listener: Listener<E> | Pid): () => void {
    if (typeof listener === 'function') {
      this.callbacks.add(listener);
      return () => this.callbacks.delete(listener);
    }
    this.pids.set(listener.key, listener);
    return () => this.pids.delete(listener.key);
  }

  emit(event: E): void {
    for (const cb of this.callbacks) {
      try {
        cb(event);
      } catch (e) {
        this.logger.error({ err: e }, 'registry event listener threw');
      }
    }
    for (const [key, pid] of this.pids) {
      if (pid.node === this.node.name && !this.node.isAlive(pid)) {
        this.pids.delete(key);
        continue;
      }
      try {
        this.node.send(pid, event);
      } catch (e) {
        this.logger.warn({ err: e, pid: pid.toString() }, 'registry event not delivered');
      }
    }
  }
}
