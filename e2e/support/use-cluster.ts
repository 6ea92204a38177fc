// Test-file hooks: a fresh ContainerCluster (own network) for every test,
// every container's output printed when the test fails (or always, with
// SDNODE_E2E_LOGS=always), and everything removed afterwards, also on failure.
import { afterEach, beforeEach } from 'vitest';
import { ContainerCluster } from './cluster.js';
import { e2eContext } from './context.js';

/** Register the hooks in the current describe; call the returned function inside a test. */
export function useContainerCluster(): () => ContainerCluster {
  const ctx = e2eContext();
  let cluster: ContainerCluster | undefined;

  beforeEach(async () => {
    if (!ctx.available) throw new Error('the container e2e suite is not available; use describe.skipIf');
    cluster = await ContainerCluster.start(ctx.image, ctx.ownerPid);
  });

  afterEach(async (testCtx) => {
    const current = cluster;
    cluster = undefined;
    if (!current) return;
    const failed = testCtx.task.result?.state === 'fail';
    if (failed || process.env['SDNODE_E2E_LOGS'] === 'always') {
      const what = failed ? 'failed test' : 'test';
      console.error(`\n===== container output of ${what} "${testCtx.task.name}" =====\n${current.dumpLogs()}\n`);
    }
    await current.stop();
  });

  return () => {
    if (!cluster) throw new Error('no cluster: call the accessor inside a test, not at collection time');
    return cluster;
  };
}
