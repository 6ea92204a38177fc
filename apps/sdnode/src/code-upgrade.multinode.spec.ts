// Live code upgrade across node processes (the harness's local mode): every node runs the billing
// application of billing-node.mjs (its ledger is a GenServer, version 1); the driver upgrades the
// ledger node by node over rpc, loading a new version from a module file on each node.
// Needs the built CLI (`npm test` builds first).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { useCluster } from '@sdnode/harness/vitest';
import type { Cluster } from '@sdnode/harness';
import { Code } from '@sdnode/otp';
import { CodeChangeError, type Pid } from '@sdnode/wire';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Call the ledger of `node` (registered as `ledger` there). */
function ledger<T>(c: Cluster, node: string, op: string, args: unknown[] = []): Promise<T> {
  return c.call<T>({ name: 'ledger', node: c.node(node).name }, { op, args });
}

function post(c: Cluster, node: string, times: number, amount?: number): Promise<void> {
  return c.run((ctx) => {
    for (let i = 0; i < times; i++) ctx.send({ name: 'ledger', node: c.node(node).name }, { $cast: { op: 'post', args: amount === undefined ? [] : [amount] } });
  });
}

describe('a rolling upgrade of the billing ledger on three node processes', () => {
  const cluster = useCluster({ nodes: 3, module: fixture('billing-node.mjs') });

  it('upgrades node after node; every ledger keeps its entries and runs version 2, and new ledgers start with it', async () => {
    const c = cluster();
    await c.waitUntil(async () => (await Promise.all(['n1', 'n2', 'n3'].map((n) => ledger<number>(c, n, 'version')))).every((v) => v === 1), { what: 'three ledgers, version 1' });
    await post(c, 'n1', 1);
    await post(c, 'n2', 2);
    await post(c, 'n3', 3);
    await c.waitUntil(async () => (await ledger<number>(c, 'n3', 'entries')) === 3, { what: 'the posts are in' });

    const report = await Code.rollingUpgrade(c.driver, c.names(), { module: fixture('billing-ledger-v2.mjs'), type: 'billing.ledger' });
    expect(report.ok).toBe(true);
    expect(report.nodes.map((n) => [n.node, n.status, n.status === 'upgraded' ? n.report.processes : null])).toEqual(c.names().map((n) => [n, 'upgraded', 1]));

    for (const [i, n] of ['n1', 'n2', 'n3'].entries()) {
      expect(await ledger(c, n, 'version')).toBe(2);
      expect(await ledger(c, n, 'entries')).toBe(i + 1);
    }
    await post(c, 'n2', 1, 40);
    await c.waitUntil(async () => (await ledger<number>(c, 'n2', 'total')) === 40, { what: 'version 2 adds up amounts' });
    // A ledger spawned by name from now on runs the new version.
    const fresh: Pid = await c.spawn('n2', 'billing.ledger', ['normal']);
    expect(await c.call(fresh, { op: 'version', args: [] })).toBe(2);
  });

  it('stops at the first node whose upgrade fails: that node keeps version 1 and its state, later nodes are not touched', async () => {
    const c = cluster();
    await c.waitUntil(async () => (await Promise.all(['n1', 'n2', 'n3'].map((n) => ledger<number>(c, n, 'version')))).every((v) => v === 1), { what: 'three ledgers, version 1' });
    await post(c, 'n2', 2); // version 3 refuses ledgers holding entries
    await c.waitUntil(async () => (await ledger<number>(c, 'n2', 'entries')) === 2, { what: 'the posts are in' });

    const report = await Code.rollingUpgrade(c.driver, c.names(), { module: fixture('billing-ledger-v3.mjs'), type: 'billing.ledger' });
    expect(report.ok).toBe(false);
    expect(report.nodes.map((n) => n.status)).toEqual(['upgraded', 'failed', 'skipped']);
    const failed = report.nodes[1]!;
    expect(failed.status === 'failed' ? failed.error : null).toBeInstanceOf(CodeChangeError);
    expect(failed.status === 'failed' ? failed.error.message : '').toContain('2 entries cannot be converted');

    expect(await ledger(c, 'n1', 'version')).toBe(3);
    expect(await ledger(c, 'n2', 'version')).toBe(1);
    expect(await ledger(c, 'n2', 'entries')).toBe(2);
    expect(await ledger(c, 'n3', 'version')).toBe(1);
    // n2 is not left suspended: it handles new messages.
    await post(c, 'n2', 1);
    await c.waitUntil(async () => (await ledger<number>(c, 'n2', 'entries')) === 3, { what: 'n2 still posts' });
  });
});
