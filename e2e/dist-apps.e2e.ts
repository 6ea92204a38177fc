// A distributed application in a container cluster driven by @sdnode/harness: every node is
// `sdnode start --config billing-cluster.containers.yaml --node nX@nX --module billing-node.mjs`
// in its own container; `billing` is declared {failoverTimeout: 2s, nodes: [n1, [n2, n3]]}. docker kill of
// n1 moves it to n2 after the timeout; n1 restarted takes it back.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Cluster } from '@sdnode/harness';
import { e2eContext, suiteTitle, useHarnessCluster } from './support/index.js';

const ctx = e2eContext();
const MODULE = fileURLToPath(new URL('../apps/sdnode/src/fixtures/billing-node.mjs', import.meta.url));
const CONFIG = fileURLToPath(new URL('./fixtures/billing-cluster.containers.yaml', import.meta.url));
const FAILOVER_MS = 2000; // as the cluster file says
const full = (n: string): string => `${n}@${n}`;

/** The nodes (among the running ones) that run billing, as their application controllers say. */
async function runningOn(c: Cluster): Promise<string[]> {
  const out: string[] = [];
  for (const n of c.nodes) {
    if (!n.isUp) continue;
    const which = await c.rpc<{ name: string; status: string }[]>(n.name, 'sdnode.applications.which', [], { timeout: 5000 });
    if (which.some((a) => a.name === 'billing' && a.status === 'running')) out.push(n.name);
  }
  return out;
}

async function until(c: Cluster, node: string, what: string): Promise<void> {
  await c.waitUntil(async () => JSON.stringify(await runningOn(c)) === JSON.stringify([node]), { timeout: 30_000, what });
}

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'a distributed application in a three-container cluster'), () => {
  const cluster = useHarnessCluster({ nodes: ['n1', 'n2', 'n3'], cookie: 'dist-apps-e2e', module: MODULE, config: CONFIG, netTickTime: 2000 });

  it('fails over from a killed n1 to n2 after the timeout, and n1 takes it back after a restart', async () => {
    const c = cluster();
    await until(c, full('n1'), 'billing on n1');
    const killed = Date.now(); // the others may see n1 go down before the kill returns
    await c.kill('n1');
    await until(c, full('n2'), 'billing failed over to n2');
    expect(Date.now() - killed).toBeGreaterThanOrEqual(FAILOVER_MS);
    expect(await c.call({ name: 'ledger', node: full('n2') }, { op: 'where', args: [] })).toEqual({ node: full('n2'), startType: `failover:${full('n1')}` });
    await c.restart('n1');
    await until(c, full('n1'), 'billing taken back by n1');
    expect(await c.call({ name: 'ledger', node: full('n1') }, { op: 'where', args: [] })).toEqual({ node: full('n1'), startType: `takeover:${full('n2')}` });
  });
});
