import { isDownMessage, isExitMessage, type ProcessContext } from '@sdnode/core';
import { ExitReasons, type ExitReason, type Pid, type Ref } from '@sdnode/wire';
import type { Shutdown } from './child-spec.js';

/**
 * Stopping children the way Erlang's supervisor does: monitor the child, unlink it (its exit must
 * not look like a crash to be restarted), then `brutal_kill` (exit kill) or exit `shutdown` and,
 * if it has not exited after the timeout, kill. The answer is the child's exit reason from its
 * DOWN message.
 */

/**
 * How long to wait for the DOWN of a killed child: immediate for a local one; a remote one whose
 * node stops answering gets its DOWN `noconnection` from the failure detector, which is bounded by
 * the net tick time, so this is a last resort.
 */
export const KILL_WAIT = 120_000;

type Pending = { readonly pid: Pid; readonly ref: Ref };

/** If the child's EXIT is already in the mailbox, it is dead: take it (and its DOWN). */
async function alreadyExited(ctx: ProcessContext, child: Pending): Promise<ExitReason | null> {
  const reason = await ctx.receive((m) => (isExitMessage(m) && m.from.equals(child.pid) ? m.reason : undefined), {
    timeout: 0,
    onTimeout: () => null,
  });
  if (reason !== null) ctx.demonitor(child.ref, { flush: true });
  return reason;
}

function watch(ctx: ProcessContext, pid: Pid): Pending {
  const ref = ctx.monitor(pid);
  ctx.unlink(pid);
  return { pid, ref };
}

/**
 * Wait for the DOWN of every pending child until `deadline` (ms since epoch; Infinity: no limit);
 * returns the children still pending.
 */
async function awaitDowns(ctx: ProcessContext, pending: Map<string, Pending>, deadline: number, reasons: Map<string, ExitReason>): Promise<void> {
  while (pending.size > 0) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    const down = await ctx.receive((m) => (isDownMessage(m) && pending.has(m.ref.key) ? m : undefined), {
      ...(Number.isFinite(left) ? { timeout: left } : {}),
      onTimeout: () => null,
    });
    if (down === null) return;
    const child = pending.get(down.ref.key)!;
    pending.delete(down.ref.key);
    reasons.set(child.pid.key, down.reason);
  }
}

/**
 * Stop children with one shutdown policy, all at once (a dynamic supervisor's children), or one
 * child (`pids` of length one). Resolves with the exit reason of each, by pid key.
 */
export async function shutdownChildren(ctx: ProcessContext, pids: readonly Pid[], shutdown: Shutdown): Promise<Map<string, ExitReason>> {
  const reasons = new Map<string, ExitReason>();
  const pending = new Map<string, Pending>();
  for (const pid of pids) {
    const child = watch(ctx, pid);
    const early = await alreadyExited(ctx, child);
    if (early !== null) reasons.set(pid.key, early);
    else pending.set(child.ref.key, child);
  }
  if (shutdown !== 'brutal_kill') {
    for (const child of pending.values()) ctx.exit(child.pid, ExitReasons.shutdown());
    await awaitDowns(ctx, pending, shutdown === 'infinity' ? Infinity : Date.now() + shutdown, reasons);
  }
  if (pending.size > 0) {
    for (const child of pending.values()) ctx.exit(child.pid, ExitReasons.kill);
    await awaitDowns(ctx, pending, Date.now() + KILL_WAIT, reasons);
  }
  for (const child of pending.values()) {
    // No DOWN even after kill: give up on it (logged), never wait forever.
    ctx.demonitor(child.ref, { flush: true });
    ctx.log.error({ child: child.pid.toString() }, 'child did not exit after kill');
    reasons.set(child.pid.key, ExitReasons.killed);
  }
  return reasons;
}

/** Stop one child; resolves with its exit reason. */
export async function shutdownChild(ctx: ProcessContext, pid: Pid, shutdown: Shutdown): Promise<ExitReason> {
  const reasons = await shutdownChildren(ctx, [pid], shutdown);
  return reasons.get(pid.key) ?? ExitReasons.noproc;
}
