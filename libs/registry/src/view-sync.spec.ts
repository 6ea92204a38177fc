import { afterEach, describe, expect, it } from 'vitest';
import type { Pid } from '@sdnode/wire';
import { Ring } from './ring.js';
import { spawnIdle } from './testing/registry-cluster.test-util.js';
import { scriptedScope, type ScriptedScope } from './testing/scripted-scope.test-util.js';

const A = 'a@127.0.0.1';
const PEERS = ['b@127.0.0.1', 'c@127.0.0.1', 'd@127.0.0.1'];

/** A name that `home` does not hold, and a member that starts holding it when `leaver` leaves. */
function movingName(home: string, members: readonly string[], replicas: number): { name: string; leaver: string; gainer: string } {
  const before = new Ring(members);
  for (let i = 0; i < 1000; i++) {
    const name = `n${i}`;
    const held = before.holders(name, replicas);
    if (held.includes(home)) continue;
    for (const leaver of held) {
      const after = new Ring(members.filter((m) => m !== leaver)).holders(name, replicas);
      const gainer = after.find((m) => m !== home && !held.includes(m));
      if (gainer !== undefined) return { name, leaver, gainer };
    }
  }
  throw new Error('no such name');
}

describe('what a member sends when the view changes (scripted peers)', () => {
  let s: ScriptedScope;
  afterEach(async () => {
    await s?.stop();
  });

  it('partitioned: a home sends its pid entry to a member that starts holding it, though not a new member', async () => {
    // The previous holders hand it over too, but only if they held it when they installed the
    // new view: the home's SET, sent in the old view, may reach them after that.
    s = await scriptedScope(A, PEERS, { mode: 'partitioned', replicas: 1 });
    s.join(...PEERS.map((name, i) => ({ name, creation: i + 2 })));
    const { name, leaver, gainer } = movingName(A, [A, ...PEERS].sort(), 1);
    const [pid] = spawnIdle(s.node) as [Pid];
    const r = s.scope.register(name, pid);
    const claim = s.take().find((x) => x.op[0] === 'claim')!;
    const entry = [name, pid, null, 'o/1/1', 1] as const;
    s.deliver(claim.to, ['result', claim.op[1] as number, 'ok', [entry, null]]);
    expect((await r).ok).toBe(true);
    expect(s.take().filter((x) => x.op[0] === 'set').map((x) => x.to)).not.toContain(gainer);

    s.leave(leaver);
    expect(s.take()).toContainEqual(expect.objectContaining({ to: gainer, op: ['hsync', [entry]] }));
  });
});
