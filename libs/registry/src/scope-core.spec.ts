import { afterEach, describe, expect, it } from 'vitest';
import type { Pid } from '@sdnode/wire';
import { spawnIdle } from './testing/registry-cluster.test-util.js';
import { scriptedScope, type ScriptedScope } from './testing/scripted-scope.test-util.js';

const A = 'a@127.0.0.1';
const PEERS = ['b@127.0.0.1', 'c@127.0.0.1', 'd@127.0.0.1', 'e@127.0.0.1'];

/** The SETs a home spread after registering `count` names it owns, by how they left. */
async function spreadOfOwnRegistrations(s: ScriptedScope, count: number) {
  s.join(...PEERS.map((name, i) => ({ name, creation: i + 2 })));
  s.take();
  const names: string[] = [];
  for (let i = 0; names.length < count; i++) if (s.ownerOf(`own${i}`) === A) names.push(`own${i}`);
  const pids = spawnIdle(s.node, count) as Pid[];
  const results = await Promise.all(names.map((n, i) => s.scope.register(n, pids[i]!)));
  expect(results.every((r) => r.ok)).toBe(true);
  return s.take().filter((x) => x.op[0] === 'set');
}

describe('how a home spreads its registrations (ScopeCore.sendAll)', () => {
  let s: ScriptedScope;
  afterEach(async () => {
    await s?.stop();
  });

  it('replicated: one list for the view\'s peers, encoded once for all of them', async () => {
    s = await scriptedScope(A, PEERS);
    const sets = await spreadOfOwnRegistrations(s, 20);
    expect(sets).toHaveLength(20 * PEERS.length);
    expect(new Set(sets.map((x) => x.via))).toEqual(new Set(['sendAll']));
  });

  it('partitioned: peer by peer to each name\'s holders, so that each peer\'s SETs coalesce into one SETS', async () => {
    s = await scriptedScope(A, PEERS, { mode: 'partitioned', replicas: 1 });
    const sets = await spreadOfOwnRegistrations(s, 20);
    // Each name to its one other holder (the home owns it), never to the rest of the view.
    expect(sets).toHaveLength(20);
    expect(new Set(sets.map((x) => x.via))).toEqual(new Set(['send']));
    for (const x of sets) {
      const name = (x.op[1] as readonly unknown[])[0] as string;
      expect(s.protocol.view.ring.holders(name, 1)).toEqual([A, x.to]);
    }
  });
});
