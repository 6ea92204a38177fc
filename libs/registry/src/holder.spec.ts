import { afterEach, describe, expect, it } from 'vitest';
import type { Pid } from '@sdnode/wire';
import { eventually, spawnIdle } from './testing/registry-cluster.test-util.js';
import { scriptedScope, type ScriptedScope } from './testing/scripted-scope.test-util.js';

const A = 'a@127.0.0.1';
const B = 'b@127.0.0.1';
const C = 'c@127.0.0.1';
const D = 'd@127.0.0.1';

const opsOf = (s: ScriptedScope, to: string, op: string) =>
  s
    .take()
    .filter((x) => x.to === to && x.op[0] === op)
    .map((x) => x.op);

describe('a member holding names (scripted peers)', () => {
  let s: ScriptedScope;
  afterEach(async () => {
    await s?.stop();
  });

  it('spreads the replacement decided for its pid even when that pid died before the answer came', async () => {
    // a is the home of the new pid, b owns the name and is the home of the replaced pid, c only
    // holds. Only the new pid's home spreads a decision, so if it drops the whole decision when
    // its pid is dead, c keeps the replaced entry (of a live pid) for ever.
    s = await scriptedScope(A, [B, C]);
    s.join({ name: B, creation: 2 }, { name: C, creation: 3 });
    const name = s.nameOwnedBy(B);
    const old = s.remotePid(B, 2);
    s.deliver(B, ['set', [name, old, null, 'b/1/1', 1], null, s.protocol.view.hash]);
    expect(s.scope.whereis(name)?.equals(old)).toBe(true);
    s.take();

    const [pid] = spawnIdle(s.node) as [Pid];
    const result = s.scope.reRegister(name, pid);
    const [claim] = opsOf(s, B, 'claim');
    expect(claim).toEqual(['claim', expect.any(Number), 'rereg', name, pid, null, s.protocol.view.hash]);
    s.node.exit(pid, { kind: 'kill' });
    await eventually(() => s.node.processInfo(pid) === undefined, 'the new pid exited');

    s.deliver(B, ['result', claim![1] as number, 'ok', [[name, pid, null, 'b/1/2', 2], 'b/1/1']]);
    expect(await result).toEqual({ ok: false, reason: 'noproc' });
    expect(s.scope.whereis(name)).toBeUndefined();
    const toC = s.take().filter((x) => x.to === C && x.op[0] === 'del').map((x) => x.op[2]);
    expect(toC).toContain('b/1/1'); // the replaced registration
    expect(toC).toContain('b/1/2'); // the dead pid's registration
  });

  it('asks the home whether an entry another member handed over still stands', async () => {
    // d meets a and b. b hands d a registration of a's pid that a deleted while d was not in
    // a's view (a's DEL never came to d, and d's VERIFY of a's pids when it met a did not cover
    // it: it arrived later). Only a can tell.
    s = await scriptedScope(D, [A, B]);
    s.join({ name: A, creation: 1 }, { name: B, creation: 2 });
    s.take();
    const name = s.nameOwnedBy(D);
    const stale = [name, s.remotePid(A, 1), null, 'b/1/1', 1] as const;
    s.deliver(B, ['sync', [stale]]);
    expect(s.scope.whereis(name)).toBeDefined();
    expect(s.take()).toContainEqual(expect.objectContaining({ to: A, op: ['verify', 0, [[name, 'b/1/1']]] }));
    s.deliver(A, ['verified', 0, [[name, 'b/1/1']]]);
    expect(s.scope.whereis(name)).toBeUndefined();
    // and the late copy never comes back
    s.deliver(B, ['sync', [stale]]);
    expect(s.scope.whereis(name)).toBeUndefined();
  });

  it('takes the word of the home itself without asking it', async () => {
    s = await scriptedScope(D, [A, B]);
    s.join({ name: A, creation: 1 }, { name: B, creation: 2 });
    s.take();
    const name = s.nameOwnedBy(D);
    s.deliver(A, ['sync', [[name, s.remotePid(A, 1), null, 'b/1/1', 1]]]);
    s.deliver(A, ['set', [`${name}x`, s.remotePid(A, 1, 2), null, 'b/1/2', 2], null, s.protocol.view.hash]);
    expect(s.take().filter((x) => x.op[0] === 'verify')).toEqual([]);
    expect(s.scope.registeredNames().sort()).toEqual([name, `${name}x`].sort());
  });

  it('as a home, answers that an id it deleted is gone, also while it claims that name for another pid', async () => {
    // d's pid held the name and died; d deleted its entry. d now claims the name for another
    // pid. b, handed the old entry by a member that had not yet seen d's DEL, asks d.
    s = await scriptedScope(D, [B, C]);
    s.join({ name: B, creation: 2 }, { name: C, creation: 3 });
    const name = s.nameOwnedBy(C);
    const [first, second] = spawnIdle(s.node, 2) as [Pid, Pid];
    const r1 = s.scope.register(name, first);
    const [claim1] = opsOf(s, C, 'claim');
    s.deliver(C, ['result', claim1![1] as number, 'ok', [[name, first, null, 'c/1/1', 1], null]]);
    expect((await r1).ok).toBe(true);
    s.node.exit(first, { kind: 'kill' });
    await eventually(() => s.protocol.core.table.find(name, 'c/1/1') === undefined, 'the dead pid unregistered');
    expect(opsOf(s, B, 'del')).toContainEqual(['del', name, 'c/1/1', 'died']);

    const r2 = s.scope.register(name, second);
    expect(opsOf(s, C, 'claim')).toHaveLength(1); // in flight
    s.deliver(B, ['verify', 0, [[name, 'c/1/1']]]);
    expect(s.take()).toContainEqual(expect.objectContaining({ to: B, op: ['verified', 0, [[name, 'c/1/1']]] }));
    // an id it never saw, while the claim is in flight, may be the answer to that claim: not gone
    s.deliver(B, ['verify', 0, [[name, 'c/1/2']]]);
    expect(s.take()).toContainEqual(expect.objectContaining({ to: B, op: ['verified', 0, []] }));
    s.protocol.stop(new Error('done'));
    await r2.catch(() => undefined);
  });
});
