// Vitest integration (`@sdnode/harness/vitest`): a cluster per test (or per describe block), its
// state printed when a test fails, everything stopped afterwards.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, type TestContext } from 'vitest';
import { Cluster } from './cluster.js';
import type { ClusterOptions } from './cluster-options.js';

export interface UseClusterOptions {
  /** `test` (default): a fresh cluster for every test. `suite`: one for the describe block. */
  readonly per?: 'test' | 'suite';
  /** Print every node's whole log (not only the last lines) when a test fails; default: $SDNODE_HARNESS_LOGS === 'all'. */
  readonly printLogs?: boolean;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);

/**
 * Register hooks in the current describe block and return an accessor for the cluster:
 *
 * ```ts
 * const cluster = useCluster({ nodes: 3, module: './my-types.js' });
 * it('...', async () => { await cluster().rpc('n1', 'my.fn', [1]); });
 * ```
 *
 * The cluster starts before each test (resolving once its nodes are meshed), and after each
 * test it is closed. When a test fails, every node's state is printed (unless a failed wait
 * printed it already), with the whole logs if `printLogs`. With $SDNODE_HARNESS_LOG_DIR set,
 * every node's log is also written to `<dir>/<test name>/<node>.log`.
 */
export function useCluster(options: ClusterOptions | (() => ClusterOptions) = {}, use: UseClusterOptions = {}): () => Cluster {
  let cluster: Cluster | undefined;
  const printLogs = use.printLogs ?? process.env['SDNODE_HARNESS_LOGS'] === 'all';
  const logRoot = process.env['SDNODE_HARNESS_LOG_DIR'];

  const start = async (label: string): Promise<void> => {
    const given = typeof options === 'function' ? options() : options;
    const logDir = given.logDir ?? (logRoot !== undefined ? join(logRoot, safe(label)) : undefined);
    cluster = await Cluster.start({ ...given, ...(logDir !== undefined ? { logDir } : {}) });
  };

  const reportFailure = async (name: string): Promise<void> => {
    const c = cluster;
    if (c === undefined) return;
    if (!c.reported) await c.printReport(`test "${name}" failed`);
    if (printLogs) console.error(c.nodes.map((n) => n.log.dump()).join('\n'));
  };

  const stop = async (): Promise<void> => {
    const c = cluster;
    cluster = undefined;
    await c?.close();
  };

  const failed = (ctx: TestContext): boolean => ctx.task.result?.state === 'fail';

  if (use.per === 'suite') {
    beforeAll(async () => start('suite'));
    afterEach(async (ctx) => {
      if (failed(ctx)) await reportFailure(ctx.task.name);
      if (cluster !== undefined) cluster.reported = false;
    });
    afterAll(stop);
  } else {
    beforeEach(async (ctx) => start(ctx.task.name));
    afterEach(async (ctx) => {
      try {
        if (failed(ctx)) await reportFailure(ctx.task.name);
      } finally {
        await stop();
      }
    });
  }

  return () => {
    if (cluster === undefined) throw new Error('no cluster: call the accessor inside a test (useCluster starts one per test)');
    return cluster;
  };
}
