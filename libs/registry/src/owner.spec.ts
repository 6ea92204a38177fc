import { afterEach, describe, expect, it } from 'vitest';
import type { Pid } from '@sdnode/wire';
import { spawnIdle } from './testing/registry-cluster.test-util.js';
import { scriptedScope, type ScriptedScope } from './testing/scripted-scope.test-util.js';

const A = 'a@127.0.0.1';
const B = 'b@127.0.0.1';
const C = 'c@127.0.0.1';
const D = 'd@127.0.0.1';

describe('the owner of a name (scripted peers)', () => {
  let s: ScriptedScope;
  afterEach(async () => {
    await s?.stop();
  });

  it('as the home of the pid a re-registration replaces, says DEL itself', async () => {
    // c owns the name and its pid holds it; d re-registers it for a pid of d. Were c to leave the
    // replacement to d's SET alone, a member that d's SET never reaches (d cut off right after)
    // would keep c's old entry, and c, the authority on its pid, would never correct it.
    s = await scriptedScope(C, [A, D]);
    s.join({ name: A, creation: 1 }, { name: D, creation: 4 });
    const name = s.nameOwnedBy(C);
    const [mine] = spawnIdle(s.node) as [Pid];
    const r = await s.scope.register(name, mine);
    if (!r.ok) throw new Error('not registered');
    s.take();

    const theirs = s.remotePid(D, 4);
    s.deliver(D, ['claim', 7, 'rereg', name, theirs, null, s.protocol.view.hash]);
    const sent = s.take();
    const result = sent.find((x) => x.to === D && x.op[0] === 'oks');
    expect((result?.op[2] as ReadonlyArray<readonly unknown[]>)[0]?.slice(0, 3)).toEqual([7, name, theirs.id]);
    expect((result?.op[2] as ReadonlyArray<readonly unknown[]>)[0]?.[6]).toBe(r.entry.id);
    expect(sent).toContainEqual(expect.objectContaining({ to: A, op: ['del', name, r.entry.id, 'unregistered'] }));
    expect(s.scope.whereis(name)?.equals(theirs)).toBe(true);
  });

  it('checks a conflict again in a new view, instead of waiting for a home that left', async () => {
    s = await scriptedScope(C, [A, B], { requestTimeout: 60_000 });
    s.join({ name: A, creation: 1 }, { name: B, creation: 2 });
    const name = s.nameOwnedBy(C);
    const fromA = [name, s.remotePid(A, 1), null, 'a/1/1', 1] as const;
    const fromB = [name, s.remotePid(B, 2), null, 'b/1/1', 2] as const;
    s.deliver(A, ['hsync', [fromA]]);
    s.take();
    s.deliver(B, ['hsync', [fromB]]);
    const asked = s.take().filter((x) => x.op[0] === 'verify');
    expect(asked.map((x) => x.to).sort()).toEqual([A, B]);
    // b answers; a is cut off before it does, and comes back with its names
    s.deliver(B, ['verified', asked[0]!.op[1] as number, []]);
    s.leave(A);
    s.join({ name: A, creation: 1 });
    s.deliver(A, ['hsync', [fromA]]);
    const again = s.take().filter((x) => x.op[0] === 'verify' && x.op[1] !== 0);
    expect(again.map((x) => x.to).sort()).toEqual([A, B]);
    for (const x of again) s.deliver(x.to, ['verified', x.op[1] as number, []]);
    const resolve = s.take().filter((x) => x.op[0] === 'resolve');
    expect(resolve.map((x) => x.op)).toContainEqual(['resolve', name, fromA, ['b/1/1']]);
    expect(s.protocol.core.table.hasConflict(name)).toBe(false);
  });

  it('decides a claim on a name in conflict only once the conflict is resolved', async () => {
    // Under unregisterBoth nobody keeps the name. Answering `ok` to the pid of the current entry
    // before resolving would acknowledge a registration that the resolution then removes.
    s = await scriptedScope(C, [A, B], { resolver: 'unregisterBoth' });
    s.join({ name: A, creation: 1 }, { name: B, creation: 2 });
    const name = s.nameOwnedBy(C);
    const pidA = s.remotePid(A, 1);
    s.deliver(A, ['hsync', [[name, pidA, null, 'a/1/1', 1]]]);
    s.deliver(B, ['hsync', [[name, s.remotePid(B, 2), null, 'b/1/1', 2]]]);
    const asked = s.take().filter((x) => x.op[0] === 'verify');
    expect(asked).toHaveLength(2);

    s.deliver(A, ['claim', 9, 'reg', name, pidA, null, s.protocol.view.hash]);
    expect(s.take().filter((x) => x.op[0] === 'result')).toEqual([]);
    expect(s.scope.info().queuedClaims).toBe(1);

    for (const x of asked) s.deliver(x.to, ['verified', x.op[1] as number, []]);
    const after = s.take();
    const resolveAt = after.findIndex((x) => x.op[0] === 'resolve');
    // an `ok` for a pid of the claimer travels as OKS (the compact RESULT)
    const resultAt = after.findIndex((x) => x.op[0] === 'oks');
    expect(resolveAt).toBeGreaterThanOrEqual(0);
    expect(resultAt).toBeGreaterThan(resolveAt);
    const [, creation, [item]] = after[resultAt]!.op as readonly [string, number, ReadonlyArray<readonly unknown[]>];
    expect(after[resultAt]!.to).toBe(A);
    expect([creation, item![0], item![1], item![2]]).toEqual([1, 9, name, pidA.id]);
    // a new registration, made after the resolution removed both contenders
    expect(item![4]).not.toBe('a/1/1');
    expect(s.scope.whereis(name)?.equals(pidA)).toBe(true);
    expect(s.scope.info().queuedClaims).toBe(0);
  });
});
