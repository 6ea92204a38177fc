import { defineProcess, isDownMessage, type Node } from '@sdnode/core';
import { isPid, type Pid } from '@sdnode/wire';

interface WatchRequest {
  readonly watch: readonly Pid[];
}

interface WatcherState {
  readonly onDown: (pid: Pid) => void;
}

/**
 * The process through which the registry learns that a local process exited: it monitors every
 * local pid the registry holds a name or a group membership for, and reports each DOWN. A pid
 * that is already dead when watched is reported at once (the monitor answers `noproc`), so a
 * registration racing with the death of its process is always cleaned up.
 */
const PidWatcherType = defineProcess('sdnode.registry.watcher', {
  init: (_ctx, onDown: (pid: Pid) => void): WatcherState => ({ onDown }),
  handle(ctx, msg, state: WatcherState) {
    if (isDownMessage(msg)) {
      if (isPid(msg.target)) state.onDown(msg.target);
    } else if (typeof msg === 'object' && msg !== null && Array.isArray((msg as WatchRequest).watch)) {
      for (const pid of (msg as WatchRequest).watch) if (isPid(pid)) ctx.monitor(pid);
    }
    return state;
  },
});

/** Watches local pids once each; `onDown` runs in the watcher process when one exits. */
export class PidWatcher {
  private readonly watched = new Set<string>();
  private pid: Pid | null = null;
  /** Pids to watch, sent to the watcher as one message per event-loop turn. */
  private batch: Pid[] = [];

  constructor(
    private readonly node: Node,
    private readonly onDown: (pid: Pid) => void,
  ) {}

  watch(pid: Pid): void {
    if (this.watched.has(pid.key)) return;
    this.watched.add(pid.key);
    if (this.pid === null || !this.node.isAlive(this.pid)) {
      this.pid = this.node.spawn(PidWatcherType, (dead: Pid) => {
        this.watched.delete(dead.key);
        this.onDown(dead);
      });
    }
    if (this.batch.length === 0) process.nextTick(() => this.flush());
    this.batch.push(pid);
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    if (this.pid !== null && batch.length > 0 && !this.node.isStopped) this.node.send(this.pid, { watch: batch } satisfies WatchRequest);
  }

  get size(): number {
    return this.watched.size;
  }

  stop(): void {
    if (this.pid !== null && this.node.isAlive(this.pid) && !this.node.isStopped) this.node.exit(this.pid, { kind: 'kill' });
    this.pid = null;
    this.watched.clear();
  }
}
