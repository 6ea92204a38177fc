import { ConnectionRefusedError, FaultInjectionError, HandshakeError, NoConnectionError, TimeoutError } from '@sdnode/wire';
import type { PartitionDriver, ResolvedNode } from './backend.js';
import { HarnessFunctions } from './node-side/harness-functions.js';

/** How long a fault helper keeps retrying a node whose driver connection dropped (ms). */
export const FAULT_RETRY_MS = 10_000;

/**
 * Whether a failed rpc to a node may succeed when tried again: the driver's connection to it was
 * lost or not up yet (a node just thawed still holds its old connection for a moment), as opposed
 * to an answer from the node that refuses the request.
 */
export function isTransientDriverError(error: unknown): boolean {
  return (
    error instanceof NoConnectionError ||
    error instanceof TimeoutError ||
    error instanceof HandshakeError ||
    error instanceof ConnectionRefusedError ||
    (error instanceof Error && /no connection to node|connection lost|timed out/.test(error.message))
  );
}

/** The rpc, tried again on transient connection loss until `retryMs` has passed. */
export async function rpcWithRetry(driver: PartitionDriver, node: string, fn: string, args: readonly unknown[], retryMs = FAULT_RETRY_MS): Promise<unknown> {
  const deadline = Date.now() + retryMs;
  let pause = 50;
  for (;;) {
    try {
      return await driver.rpc(node, fn, args);
    } catch (error) {
      if (!isTransientDriverError(error) || Date.now() + pause > deadline || driver.instance(node) === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause)); // backoff before the next attempt, not a wait for a condition
      pause = Math.min(pause * 2, 1_000);
    }
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Partition through each running node's PartitionFilterPolicy (`sdnode.harness.block`), all or
 * nothing: a node whose driver connection drops is tried again (transient loss, see
 * isTransientDriverError); if a node still cannot be reached, every node that took its block
 * list is unblocked again and the call rejects with FaultInjectionError, so no half-applied
 * partition is left behind. Nodes that do not run are blocked when they restart (Cluster.restart).
 */
export async function partitionByRpc(sides: readonly (readonly ResolvedNode[])[], driver: PartitionDriver, fault: string, retryMs = FAULT_RETRY_MS): Promise<void> {
  const targets: { name: string; blocked: string[] }[] = [];
  sides.forEach((side, i) => {
    const others = sides.flatMap((s, j) => (j === i ? [] : s.map((n) => n.name)));
    for (const node of side) if (driver.instance(node.name) !== undefined) targets.push({ name: node.name, blocked: others });
  });
  const results = await Promise.allSettled(targets.map((t) => rpcWithRetry(driver, t.name, HarnessFunctions.block, [t.blocked], retryMs)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i]!.name}: ${message(r.reason)}`] : []));
  if (failed.length === 0) return;
  const applied = targets.filter((_, i) => results[i]!.status === 'fulfilled');
  const rollback = await Promise.allSettled(applied.map((t) => rpcWithRetry(driver, t.name, HarnessFunctions.unblock, [], retryMs)));
  const stuck = rollback.flatMap((r, i) => (r.status === 'rejected' ? [applied[i]!.name] : []));
  const undone = stuck.length === 0 ? `rolled back on the ${applied.length} node(s) that had it` : `rolling back failed on ${stuck.join(', ')}: heal() before going on`;
  throw new FaultInjectionError(fault, `${failed.length} node(s) could not be reached (${failed.join('; ')}); ${undone}`);
}

/** Heal every running node (`sdnode.harness.unblock`), retrying transient connection loss; rejects naming the nodes that stay blocked. */
export async function healByRpc(nodes: readonly ResolvedNode[], driver: PartitionDriver, fault: string, retryMs = FAULT_RETRY_MS): Promise<void> {
  const running = nodes.filter((n) => driver.instance(n.name) !== undefined);
  const results = await Promise.allSettled(running.map((n) => rpcWithRetry(driver, n.name, HarnessFunctions.unblock, [], retryMs)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${running[i]!.name}: ${message(r.reason)}`] : []));
  if (failed.length > 0) throw new FaultInjectionError(fault, `${failed.length} node(s) did not answer and may still be blocked: ${failed.join('; ')}`);
}
