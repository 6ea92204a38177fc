// The harness's vitest helper in container mode, with the image and owner the
// e2e global setup provides.
import { useCluster, type UseClusterOptions } from '@sdnode/harness/vitest';
import type { Cluster, ClusterOptions } from '@sdnode/harness';
import { e2eContext } from './context.js';

/** `useCluster` from @sdnode/harness/vitest, in container mode on the suite's node image. */
export function useHarnessCluster(options: ClusterOptions, use: UseClusterOptions = {}): () => Cluster {
  const ctx = e2eContext();
  return useCluster(() => {
    if (!ctx.available) throw new Error('the container e2e suite is not available; use describe.skipIf');
    return { ...options, mode: 'containers', containers: { ...options.containers, image: ctx.image, ownerPid: ctx.ownerPid } };
  }, use);
}
