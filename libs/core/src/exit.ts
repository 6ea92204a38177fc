import { ExitReasons, type ExitReason } from '@sdnode/wire';
import type { Proc } from './process.js';
import { F_EXITED, F_READY } from './process-flags.js';
import type { Kernel } from './kernel.js';
import { cancelAllTimers } from './timers.js';

/**
 * Complete the exit of a process marked as exiting (Kernel.die), in this order:
 * 1. `terminate` (callback style; not after `kill`), errors logged;
 * 2. the process leaves the process table and its name is released;
 * 3. every link gets an exit signal with the reason (local: through Kernel.signal; remote: EXIT);
 * 4. monitors it holds are removed (remote: DEMONITOR);
 * 5. every watcher gets DOWN once (local: a message; remote: MONITOR_DOWN);
 * 6. exit watches (Node.watchExits) that watch it are told;
 * 7. node monitoring stops, and the exit hook (node.run, ...) is told.
 * Iterative: a chain of linked processes is taken down through the scheduler's exit queue, never
 * by recursion.
 */
export function finalizeExit(k: Kernel, p: Proc): void {
  if ((p.flags & F_EXITED) !== 0) return;
  const reason: ExitReason = p.reason ?? ExitReasons.normal;
  runTerminate(k, p, reason);
  p.flags |= F_EXITED;
  p.dropReceive();
  cancelAllTimers(p);
  p.mq = null;
  p.mh = 0;
  p.mo = null;
  p.callRef = null;
  p.calls = null;
  p.state = undefined;
  k.procs.delete(p.self.id);
  if (p.name !== undefined) {
    if (k.names.get(p.name) === p) k.names.delete(p.name);
  }
  k.stats.exited++;

  const links = p.links;
  if (links !== null) {
    p.links = null;
    for (const pid of links.values()) {
      if (pid.node !== k.name) {
        k.remote.linkExit(p.self, pid, reason);
        continue;
      }
      const q = k.lookup(pid);
      if (q === undefined || q.links === null || !q.links.delete(p.self.key)) continue;
      k.signal(q, p.self, reason, true);
    }
  }

  const monitors = p.monitors;
  if (monitors !== null) {
    p.monitors = null;
    for (const entry of monitors.values()) {
      if (entry.local !== null) entry.local.monitoredBy?.delete(entry.ref.key);
      else k.remote.demonitor(p, entry);
    }
  }

  if (p.callMon !== null) k.remote.callDemonitor?.(p);

  const watchers = p.monitoredBy;
  if (watchers !== null) {
    p.monitoredBy = null;
    for (const entry of watchers.values()) {
      if (entry.watcher.node !== k.name) {
        k.remote.down(p, entry, reason);
        continue;
      }
      const w = k.lookup(entry.watcher);
      if (w === undefined || w.monitors === null || !w.monitors.delete(entry.ref.key)) continue;
      w.deliver({ signal: 'DOWN', ref: entry.ref, target: entry.target, reason });
    }
  }

  if (k.exitWatches.size > 0) k.exitWatches.exited(p.self, reason);
  k.nodeWatchers.delete(p);
  const hook = p.exitHook;
  if (hook !== null) {
    p.exitHook = null;
    try {
      hook(reason);
    } catch (e) {
      k.logger.error({ err: e, pid: p.self.toString() }, 'exit hook failed');
    }
  }
  if (reason.kind === 'error') {
    k.logger.debug({ pid: p.self.toString(), reason }, 'process crashed');
  }
}

function runTerminate(k: Kernel, p: Proc, reason: ExitReason): void {
  const terminate = p.type?.behaviour?.terminate;
  if (terminate === undefined || (p.flags & F_READY) === 0 || reason.kind === 'killed') return;
  try {
    const r = terminate.call(p.type!.behaviour, p, reason, p.state) as unknown;
    if (typeof r === 'object' && r !== null && typeof (r as { catch?: unknown }).catch === 'function') {
      (r as Promise<unknown>).catch((e: unknown) => k.logger.warn({ err: e, pid: p.self.toString() }, 'terminate rejected'));
    }
  } catch (e) {
    k.logger.warn({ err: e, pid: p.self.toString() }, 'terminate threw');
  }
}
