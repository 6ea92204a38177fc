import type { ExitReason, Pid, Ref } from '@sdnode/wire';
import type { MonitorIn, MonitorOut, Proc } from './process.js';
import type { NameAtNode } from './signals.js';
import type { RemoteSpawnOptions } from './process-context.js';

/**
 * What the local runtime (Kernel) asks of the distribution layer. Every operation concerning a
 * process on another node goes through here; the implementation keeps the per-node indexes that
 * make nodedown cost O(affected).
 */
export interface RemoteOps {
  /** One-way message to a remote pid. Throws NotSendableError when `msg` cannot be encoded. */
  send(to: Pid, msg: unknown, from: Pid): void;
  /** One-way message to a name registered on another node (dropped there if unregistered). */
  regSend(node: string, name: string, msg: unknown, from: Pid): void;
  /** `p` links to the remote `to` (already recorded in p.links). */
  link(p: Proc, to: Pid): void;
  /** `p` unlinks from the remote `to` (already removed from p.links). */
  unlink(p: Proc, to: Pid): void;
  /** `from` (local, exiting) was linked to the remote `to`: send the link exit signal. */
  linkExit(from: Pid, to: Pid, reason: ExitReason): void;
  /** `exit(to, reason)` to a remote pid. */
  exit2(from: Pid, to: Pid, reason: ExitReason): void;
  /**
   * `p` monitors a remote pid or a name on a remote node. Returns the watcher-side record, or
   * null when the monitor already fired (DOWN `noconnection` delivered: the node is unreachable).
   */
  monitor(p: Proc, ref: Ref, node: string, to: Pid | string, target: Pid | NameAtNode): MonitorOut | null;
  /** The watcher `p` drops a remote monitor (demonitor, or p exits). */
  demonitor(p: Proc, entry: MonitorOut): void;
  /**
   * The monitor of a call in flight, in the slot `p.callMon` (call-monitor.ts), on the remote pid
   * `to`. When the node cannot be reached, DOWN `noconnection` is delivered at once (as `monitor`
   * does). Optional: without it calls use `monitor`.
   */
  callMonitor?(p: Proc, ref: Ref, to: Pid): void;
  /** Drop the call monitor in `p`'s slot, if active (the call ended, or p exits). */
  callDemonitor?(p: Proc): void;
  /** A local process watched by a remote process exited: send DOWN to the watcher. */
  down(target: Proc, entry: MonitorIn, reason: ExitReason): void;
  /**
   * Spawn on another node. With `monitorRef` (and `p`), the spawning node sets up a monitor of the
   * child for `p` before the child runs, with `monitorRef` as its ref.
   */
  spawn(p: Proc | null, node: string, type: string, args: readonly unknown[], options: RemoteSpawnOptions, monitorRef: Ref | null): Promise<Pid>;
}
