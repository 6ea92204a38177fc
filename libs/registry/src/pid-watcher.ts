import type { ExitWatch, Node } from '@sdnode/core';
import type { Pid } from '@sdnode/wire';

/**
 * How the registry learns that a local process exited: one exit watch of the node
 * (`Node.watchExits`) over every local pid the registry holds a name or a group membership for,
 * instead of a monitor per pid (a Ref, a monitor entry on both sides and a DOWN message each).
 * The node calls `onDown` once, as it completes the exit.
 *
 * A pid that is already gone when watched is reported too, on the next tick (as its `noproc`
 * DOWN was before), so that a registration racing with the death of its process is always
 * cleaned up. Remote pids are not watched here: their home node tells the members (DEL), and a
 * node's departure removes its names (nodedown).
 */
export class PidWatcher {
  private readonly exits: ExitWatch;
  /** Pids found gone when watched, reported together on the next tick. */
  private gone: Pid[] = [];
  private stopped = false;

  constructor(
    private readonly node: Node,
    private readonly onDown: (pid: Pid) => void,
  ) {
    this.exits = node.watchExits((pid) => {
      if (!this.stopped) this.onDown(pid);
    });
  }

  /** Watch a local pid (again: no effect while it is watched). */
  watch(pid: Pid): void {
    if (this.stopped || this.exits.add(pid)) return;
    if (this.gone.length === 0) process.nextTick(() => this.reportGone());
    this.gone.push(pid);
  }

  private reportGone(): void {
    const gone = this.gone;
    this.gone = [];
    if (this.stopped || this.node.isStopped) return;
    const seen = new Set<string>();
    for (const pid of gone) {
      if (seen.has(pid.key)) continue;
      seen.add(pid.key);
      this.onDown(pid);
    }
  }

  /** Pids watched now. */
  get size(): number {
    return this.exits.size;
  }

  stop(): void {
    this.stopped = true;
    this.gone = [];
    this.exits.close();
  }
}
