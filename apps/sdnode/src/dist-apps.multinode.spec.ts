// Distributed applications with real node processes (the harness's local mode): every node is
// `sdnode start --config billing-cluster.local.yaml --node NAME --module billing-node.mjs`: the
// cluster file declares `billing` as {failoverTimeout, nodes: [n1, [n2, n3]]}, the module defines it.
// Needs the built CLI (`npm test` builds first).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { useCluster } from '@sdnode/harness/vitest';
import type { Cluster } from '@sdnode/harness';

const MODULE = fileURLToPath(new URL('./fixtures/billing-node.mjs', import.meta.url));
const CONFIG = fileURLToPath(new URL('./fixtures/billing-cluster.local.yaml', import.meta.url));
const FAILOVER_MS = 1500; // as the cluster file says
const [N1, N2, N3] = ['n1@127.0.0.2', 'n2@127.0.0.3', 'n3@127.0.0.4'] as const;

interface Which {
  readonly name: string;
  readonly status: string;
}

/** The nodes (among the running ones) whose application controller runs billing. */
async function runningOn(c: Cluster): Promise<string[]> {
  const out: string[] = [];
  for (const n of c.nodes) {
    if (!n.isUp) continue;
    const which = await c.rpc<Which[]>(n.name, 'sdnode.applications.which', [], { timeout: 3000 });
    if (which.some((a) => a.name === 'billing' && a.status === 'running')) out.push(n.name);
  }
  return out;
}

/** Wait until billing runs on exactly `node`. */
async function until(c: Cluster, node: string, what: string): Promise<void> {
  await c.waitUntil(async () => JSON.stringify(await runningOn(c)) === JSON.stringify([node]), { timeout: 20_000, what });
}

/** How the ledger of the billing instance on `node` was started. */
function startTypeOn(c: Cluster, node: string): Promise<{ node: string; startType: string }> {
  return c.call({ name: 'ledger', node }, { op: 'where', args: [] });
}

describe('a distributed application on three node processes', () => {
  const cluster = useCluster({ nodes: [N1, N2, N3], cookie: 'dist-apps-multinode', module: MODULE, config: CONFIG, netTickTime: 3000 });

  it('runs on n1; fails over to n2 after the timeout when n1 is killed; n1 takes it back when it restarts', async () => {
    const c = cluster();
    await until(c, N1, 'billing on n1');
    expect(await startTypeOn(c, N1)).toEqual({ node: N1, startType: 'normal' });

    const killed = Date.now(); // the others may see n1 go down before the kill returns
    await c.kill('n1');
    await until(c, N2, 'billing failed over to n2'); // n3 ranks after n2 by name
    expect(Date.now() - killed).toBeGreaterThanOrEqual(FAILOVER_MS); // nobody moved before the timeout
    expect(await startTypeOn(c, N2)).toEqual({ node: N2, startType: `failover:${N1}` });

    await c.restart('n1');
    await until(c, N1, 'billing taken back by n1');
    expect(await startTypeOn(c, N1)).toEqual({ node: N1, startType: `takeover:${N2}` });
    // The instance on n2 was stopped (before n1 started its own).
    expect(await c.rpc<Which[]>(N2, 'sdnode.applications.which')).toEqual([]);
  });

  it('moves to n3 when n2 is killed while it runs there', async () => {
    const c = cluster();
    await until(c, N1, 'billing on n1');
    await c.kill('n1');
    await until(c, N2, 'billing on n2');
    await c.kill('n2');
    await until(c, N3, 'billing on n3');
    expect(await startTypeOn(c, N3)).toEqual({ node: N3, startType: `failover:${N2}` });
  });

  it('takes its node down when the permanent application exits (the process ends with code 1), and moves at once', async () => {
    const c = cluster();
    await until(c, N1, 'billing on n1');
    const since = c.node('n1').log.events.length;
    const crashed = Date.now();
    // Stop billing's top supervisor with an abnormal reason, as a crash would.
    await c.run((ctx) => ctx.call({ name: 'billing_sup', node: N1 }, { $sys: 'terminate', reason: { kind: 'other', value: 'broken' } })).catch(() => undefined);
    const event = await c.waitForEvent('n1', 'node_stopping', {}, { timeout: 10_000, since });
    expect(String(event['reason'])).toMatch(/^application billing \(permanent\) exited: /);
    expect(await c.node('n1').lastInstance?.ended).toBe('exited with code 1');
    // n1 gave billing up before going down: n2 started it without waiting for the failover timeout.
    await until(c, N2, 'billing on n2');
    expect(Date.now() - crashed).toBeLessThan(FAILOVER_MS);
    expect(await startTypeOn(c, N2)).toEqual({ node: N2, startType: `failover:${N1}` });
  });
});
