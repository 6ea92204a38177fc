// Helpers of the observe tests on real node processes (observe.multinode.spec.ts,
// observe.browser.spec.ts): the cluster they observe, and what its nodes say of themselves.
import { fileURLToPath } from 'node:url';
import type { Cluster } from '@sdnode/harness';
import { SGroupFunctions, type ChangeResult } from '@sdnode/sgroups';
import type { ClusterSnapshot } from './snapshot.js';

/** The nodes' module: a counter GenServer (`observe.counter`), for Sys.getStatus. */
export const OBSERVE_MODULE = fileURLToPath(new URL('./fixtures/observe-node.mjs', import.meta.url));

/** GET a JSON document of the observer, within 5 s. */
export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

export async function snapshotOf(url: string): Promise<ClusterSnapshot> {
  return (await getJson<ClusterSnapshot>(`${url}api/snapshot`)).body;
}

/**
 * Make n1, n2, n3 s_group nodes: g1 = n1, n2 and g2 = n2, n3 (n2 in both); n4 stays free. Each
 * change is made by a member, agreed with the others.
 */
export async function makeGroups(c: Cluster): Promise<void> {
  const [n1, n2, n3] = ['n1', 'n2', 'n3'].map((n) => c.node(n).name) as [string, string, string];
  const g1 = await c.rpc<ChangeResult>('n1', SGroupFunctions.change, ['new', 'g1', [n1, n2], {}], { timeout: 15_000 });
  const g2 = await c.rpc<ChangeResult>('n2', SGroupFunctions.change, ['new', 'g2', [n2, n3], {}], { timeout: 15_000 });
  if (g1.notJoined.length > 0 || g2.notJoined.length > 0) throw new Error(`nodes could not join: ${JSON.stringify([g1.notJoined, g2.notJoined])}`);
}

/** The connections between the cluster's running nodes, as each node itself says (visible and point to point): `a|b` with a < b. */
export async function connectionsFromNodes(c: Cluster): Promise<string[]> {
  const pairs = new Set<string>();
  const names = new Set(c.nodes.filter((n) => n.status === 'running').map((n) => n.name));
  for (const n of c.nodes) {
    if (n.status !== 'running') continue;
    const s = await c.state(n.name, { timeout: 3000 });
    for (const peer of [...s.nodes, ...s.pointToPoint]) {
      if (!names.has(peer)) continue;
      pairs.add(n.name < peer ? `${n.name}|${peer}` : `${peer}|${n.name}`);
    }
  }
  return [...pairs].sort();
}

/** The same, as the observer's snapshot shows it (the visible and point-to-point edges between the cluster's nodes). */
export function connectionsInSnapshot(s: ClusterSnapshot, c: Cluster): string[] {
  const names = new Set(c.nodes.filter((n) => n.status === 'running').map((n) => n.name));
  return s.edges
    .filter((e) => (e.kind === 'visible' || e.kind === 'p2p') && names.has(e.a) && names.has(e.b))
    .map((e) => `${e.a}|${e.b}`)
    .sort();
}
