import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError, type Pid } from '@sdnode/wire';
import { spawnIdle } from './testing/registry-cluster.test-util.js';
import { scriptedScope, type ScriptedScope } from './testing/scripted-scope.test-util.js';

const A = 'a@127.0.0.1';
const B = 'b@127.0.0.1';
const C = 'c@127.0.0.1';

/** The CLAIMS item `[req, kind, name, pid id, meta]` this node sent to `owner` for `name`. */
function claimOf(s: ScriptedScope, owner: string, name: string): readonly unknown[] {
  for (const x of s.take()) {
    if (x.to !== owner || x.op[0] !== 'claim') continue;
    if (x.op[3] === name) return x.op;
  }
  throw new Error(`no claim for ${name} to ${owner}`);
}

/** The SETs this node sent to `to`, as `[name, pid id, id]`. */
function setsTo(s: ScriptedScope, to: string): unknown[][] {
  return s
    .take()
    .filter((x) => x.to === to && x.op[0] === 'set')
    .map((x) => {
      const [name, pid, , id] = x.op[1] as readonly [string, Pid, unknown, string];
      return [name, pid.id, id];
    });
}

describe('the claimer of a name (scripted peers): OKS answers', () => {
  let s: ScriptedScope;
  afterEach(async () => {
    await s?.stop();
  });

  it('takes an OKS item as the ok of its claim: the entry with its own pid, applied and spread', async () => {
    s = await scriptedScope(A, [B, C]);
    s.join({ name: B, creation: 2 }, { name: C, creation: 3 });
    s.take();
    const name = s.nameOwnedBy(B);
    const [pid] = spawnIdle(s.node) as [Pid];
    const result = s.scope.register(name, pid, { role: 'x' });
    const claim = claimOf(s, B, name);
    s.deliver(B, ['oks', s.node.creation, [[claim[1] as number, name, pid.id, { role: 'x' }, 'b/1/7', 70, null]]]);
    const r = await result;
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.entry).toEqual({ name, pid, meta: { role: 'x' }, id: 'b/1/7', at: 70 });
    expect(r.entry.pid).toBe(pid); // the claim's own Pid object, not a rebuilt one
    expect(s.scope.whereis(name)?.equals(pid)).toBe(true);
    expect(setsTo(s, C)).toEqual([[name, pid.id, 'b/1/7']]);
  });

  it('applies and spreads an OKS ok that arrives after its call timed out', async () => {
    s = await scriptedScope(A, [B, C]);
    s.join({ name: B, creation: 2 }, { name: C, creation: 3 });
    s.take();
    const name = s.nameOwnedBy(B);
    const [pid] = spawnIdle(s.node) as [Pid];
    const result = s.scope.register(name, pid, null, { timeout: 1 });
    const claim = claimOf(s, B, name);
    await expect(result).rejects.toBeInstanceOf(TimeoutError);
    // The owner decided anyway: the home is the only node that spreads it.
    s.deliver(B, ['oks', s.node.creation, [[claim[1] as number, name, pid.id, null, 'b/1/8', 80, null]]]);
    expect(s.scope.whereis(name)?.equals(pid)).toBe(true);
    expect(setsTo(s, C)).toEqual([[name, pid.id, 'b/1/8']]);
  });

  it('deletes everywhere an OKS ok for a pid that died before it came', async () => {
    s = await scriptedScope(A, [B, C]);
    s.join({ name: B, creation: 2 }, { name: C, creation: 3 });
    s.take();
    const name = s.nameOwnedBy(B);
    const [pid] = spawnIdle(s.node) as [Pid];
    const result = s.scope.register(name, pid);
    const claim = claimOf(s, B, name);
    s.node.exit(pid, { kind: 'kill' });
    await s.node.run(async (ctx) => {
      // the exit is complete once a monitor's DOWN arrives
      const ref = ctx.monitor(pid);
      await ctx.receive((m) => ((m as { ref?: { equals(x: unknown): boolean } }).ref?.equals(ref) ? m : undefined), { timeout: 5000 });
    });
    s.deliver(B, ['oks', s.node.creation, [[claim[1] as number, name, pid.id, null, 'b/1/9', 90, null]]]);
    expect(await result).toEqual({ ok: false, reason: 'noproc' });
    expect(s.scope.whereis(name)).toBeUndefined();
    const dels = s
      .take()
      .filter((x) => x.to === C && x.op[0] === 'del')
      .map((x) => x.op.slice(1));
    expect(dels).toEqual([[name, 'b/1/9', 'died']]);
  });
});
