import type { Node } from '@sdnode/core';
import { CalleeExitError, CodeChangeError, NoProcError, UpgradeError, errorInfo, type Pid } from '@sdnode/wire';
import { isOtpType, type OtpType } from '../common/otp-type.js';
import { Sys } from '../common/sys.js';

/**
 * Live code upgrade of one node (Erlang's release_handler for one module, in the suspend /
 * code_change / resume order): replace the implementation of a GenServer or GenStatem type on a
 * running node without losing any process's state. All or nothing per node:
 *
 * 1. every process of the type is suspended (it handles only system requests; other messages
 *    wait, in order);
 * 2. each computes its new state with the new version's `codeChange(oldVsn, state)` without
 *    switching (`Sys.prepareCodeChange`);
 * 3. if every one succeeded: the node's type registry gets the new version (later spawns run it)
 *    and every process switches (`Sys.commitCodeChange`); otherwise none does, the registry is
 *    unchanged, and the first error is thrown (CodeChangeError from a codeChange);
 * 4. every process is resumed: it handles its waiting messages, in order, with the version it
 *    now runs.
 * A process spawned by name while this runs starts with the old version; it is switched alone,
 * right after the commit (`late` in the report). A new version whose `vsn` is the running one's
 * is taken as the running version itself: nothing is done.
 */

export interface UpgradeOptions {
  /** Handed to every codeChange as `extra`. */
  readonly extra?: unknown;
  /** Per system request (suspend, prepare, commit, resume), default 5000 ms. */
  readonly timeout?: number;
}

/** What an upgrade of one node did. */
export interface UpgradeReport {
  readonly node: string;
  readonly type: string;
  readonly fromVsn: string | number | null;
  readonly toVsn: string | number | null;
  /** Processes switched to the new version with their state converted. */
  readonly processes: number;
  /** Processes spawned with the old version during the upgrade, then switched alone. */
  readonly late: number;
  /** Late processes whose switch failed (they run the old version): their pids and errors. */
  readonly lateFailures: readonly { readonly pid: string; readonly error: string }[];
}

const UPGRADABLE: ReadonlySet<string> = new Set(['gen_server', 'gen_statem']);

/** The live processes of the type named `name` on `node`. */
function processesOf(node: Node, name: string): Pid[] {
  return node.processes().filter((pid) => {
    const info = node.processInfo(pid);
    return info !== undefined && info.type === name && info.status !== 'exiting';
  });
}

/** A process that exited while we worked on it: not an error of the upgrade. */
function gone(e: unknown): boolean {
  return e instanceof NoProcError || e instanceof CalleeExitError;
}

async function settleEach<T>(pids: readonly Pid[], op: (pid: Pid) => Promise<T>): Promise<{ ok: Map<string, T>; failed: { pid: Pid; error: unknown }[] }> {
  const results = await Promise.allSettled(pids.map(op));
  const ok = new Map<string, T>();
  const failed: { pid: Pid; error: unknown }[] = [];
  results.forEach((r, i) => {
    const pid = pids[i]!;
    if (r.status === 'fulfilled') ok.set(pid.key, r.value);
    else if (!gone(r.reason)) failed.push({ pid, error: r.reason });
  });
  return { ok, failed };
}

/** Upgrade the type `to.name` on `node` to `to` (see above). Throws UpgradeError or CodeChangeError. */
export async function upgradeType(node: Node, to: OtpType, options: UpgradeOptions = {}): Promise<UpgradeReport> {
  const name = to.name;
  const old = node.processType(name);
  if (old === undefined) throw new UpgradeError(name, node.name, 'no such type on this node');
  if (!isOtpType(to) || !UPGRADABLE.has(to.otp)) throw new UpgradeError(name, node.name, 'the new version is not a GenServer or GenStatem type');
  if (!isOtpType(old) || old.otp !== to.otp) throw new UpgradeError(name, node.name, `the running version is not a ${to.otp} type`);
  const call = options.timeout !== undefined ? { timeout: options.timeout } : {};
  const report = (processes: number, late: number, lateFailures: UpgradeReport['lateFailures']): UpgradeReport => ({
    node: node.name,
    type: name,
    fromVsn: old.vsn ?? null,
    toVsn: to.vsn ?? null,
    processes,
    late,
    lateFailures,
  });
  // The vsn names a version: a fresh load of the running version (a rolling upgrade run again) is current.
  if (old === to || (to.vsn !== undefined && old.vsn === to.vsn)) return report(0, 0, []);

  const targets = processesOf(node, name);
  const suspended = await settleEach(targets, (pid) => Sys.suspend(node, pid, call));
  const held = targets.filter((p) => suspended.ok.has(p.key));
  const resumeAll = (): Promise<unknown> => settleEach(held, (pid) => Sys.resume(node, pid, call));
  if (suspended.failed.length > 0) {
    await resumeAll();
    const f = suspended.failed[0]!;
    throw new UpgradeError(name, node.name, `process ${f.pid.toString()} could not be suspended: ${errorInfo(f.error).message}`);
  }

  const prepared = await settleEach(held, (pid) => Sys.prepareCodeChange(node, pid, to, options.extra, call));
  if (prepared.failed.length > 0) {
    await settleEach(held, (pid) => Sys.abortCodeChange(node, pid, call));
    await resumeAll();
    const f = prepared.failed[0]!;
    if (f.error instanceof CodeChangeError) throw f.error;
    throw new UpgradeError(name, node.name, `process ${f.pid.toString()}: ${errorInfo(f.error).message}`);
  }

  node.replaceType(to);
  const toCommit = held.filter((p) => prepared.ok.get(p.key) === 'prepared');
  const committed = await settleEach(toCommit, (pid) => Sys.commitCodeChange(node, pid, call));
  await resumeAll();
  for (const f of committed.failed) node.logger.error({ pid: f.pid.toString(), err: errorInfo(f.error) }, 'code change commit failed');

  // Spawned by name between the listing and the registry switch: switched alone now.
  const seen = new Set(targets.map((p) => p.key));
  const late = processesOf(node, name).filter((p) => !seen.has(p.key));
  const lateResult = await settleEach(late, (pid) => Sys.changeCode(node, pid, to, options.extra, call));
  const lateFailures = lateResult.failed.map((f) => ({ pid: f.pid.toString(), error: errorInfo(f.error).message }));
  return report(committed.ok.size, late.length, lateFailures);
}
