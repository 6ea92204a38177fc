import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExitReasons, type ExitReason, type Pid } from '@sdnode/wire';
import { Node, defineProcess, isDownMessage, isExitMessage, type ProcessContext } from './index.js';
import { localNode } from './wait-until.test-util.js';

let node: Node;
beforeEach(async () => {
  node = await localNode();
});
afterEach(async () => {
  await node.stop();
});

/** A process that waits forever (until a signal ends it). */
const Idle = defineProcess('idle', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

/** Wait for the DOWN of `pid` and return its reason. */
function exitReasonOf(ctx: ProcessContext, pid: Pid): Promise<ExitReason> {
  const ref = ctx.monitor(pid);
  return ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ref) ? m.reason : undefined), { timeout: 2000 });
}

describe('links and exit signals', () => {
  it('an abnormal exit takes down a linked process that does not trap exits', async () => {
    const reason = await node.run(async (ctx) => {
      const a = ctx.spawn(Idle);
      const b = ctx.spawnFn(async (c) => {
        c.link(a);
        await c.receive();
        throw new Error('b fails');
      });
      const down = exitReasonOf(ctx, a);
      ctx.send(b, 'go');
      return down;
    });
    expect(reason).toMatchObject({ kind: 'error', error: { message: 'b fails' } });
  });

  it('a trapping process receives the exit signal as an EXIT message and lives on', async () => {
    const got = await node.run(async (ctx) => {
      ctx.trapExit(true);
      const child = ctx.spawnFn(async (c) => c.exit(ExitReasons.other('bye')), { link: true });
      const msg = await ctx.receive((m) => (isExitMessage(m) ? m : undefined), { timeout: 2000 });
      return { from: msg.from.equals(child), reason: msg.reason };
    });
    expect(got).toEqual({ from: true, reason: { kind: 'other', value: 'bye' } });
  });

  it('a normal exit is ignored by a linked process that does not trap exits', async () => {
    const alive = await node.run(async (ctx) => {
      const watcher = ctx.spawn(Idle);
      const child = ctx.spawnFn(async (c) => {
        c.link(watcher);
        await c.receive();
      });
      const childDown = exitReasonOf(ctx, child);
      ctx.send(child, 'finish');
      expect(await childDown).toEqual({ kind: 'normal' });
      // The watcher must still answer: monitor it and ask it to stop normally.
      const watcherDown = exitReasonOf(ctx, watcher);
      ctx.send(watcher, 'stop');
      return watcherDown;
    });
    expect(alive).toEqual({ kind: 'normal' });
  });

  it('kill cannot be trapped and the victim exits killed, which linked processes can trap', async () => {
    const got = await node.run(async (ctx) => {
      ctx.trapExit(true);
      const victim = ctx.spawnFn(async (c) => {
        c.trapExit(true);
        await c.receive((m) => (m === 'never' ? m : undefined));
      }, { link: true });
      ctx.exit(victim, ExitReasons.kill);
      const msg = await ctx.receive((m) => (isExitMessage(m) ? m : undefined), { timeout: 2000 });
      return msg.reason;
    });
    expect(got).toEqual({ kind: 'killed' });
  });

  it('exit(pid, reason) to a trapping process arrives as an EXIT message', async () => {
    const got = await node.run(async (ctx) => {
      const self = ctx.self;
      const target = ctx.spawnFn(async (c) => {
        c.trapExit(true);
        c.send(self, 'trapping');
        const m = await c.receive((x) => (isExitMessage(x) ? x : undefined));
        c.send(self, m.reason);
      });
      await ctx.receive((m) => (m === 'trapping' ? m : undefined), { timeout: 2000 });
      ctx.exit(target, ExitReasons.shutdown('please'));
      return ctx.receive(undefined, { timeout: 2000 });
    });
    expect(got).toEqual({ kind: 'shutdown', detail: 'please' });
  });

  it('exit(pid, normal) does not end a process that does not trap exits', async () => {
    const reason = await node.run(async (ctx) => {
      const target = ctx.spawn(Idle);
      ctx.exit(target, ExitReasons.normal);
      const down = exitReasonOf(ctx, target);
      ctx.send(target, 'stop');
      return down;
    });
    // DOWN `normal` (not `noproc`): the process was still alive after the signal and ended on 'stop'.
    expect(reason).toEqual({ kind: 'normal' });
  });

  it('linking to a dead pid delivers noproc (as an EXIT message when trapping)', async () => {
    const got = await node.run(async (ctx) => {
      const dead = ctx.spawnFn(() => undefined);
      await exitReasonOf(ctx, dead);
      ctx.trapExit(true);
      ctx.link(dead);
      const m = await ctx.receive((x) => (isExitMessage(x) ? x : undefined), { timeout: 1000 });
      return m.reason;
    });
    expect(got).toEqual({ kind: 'noproc' });
  });

  it('unlink stops exit propagation', async () => {
    const reason = await node.run(async (ctx) => {
      const a = ctx.spawn(Idle);
      const b = ctx.spawnFn(async (c) => {
        c.link(a);
        c.unlink(a);
        await c.receive();
        throw new Error('b fails alone');
      });
      const bDown = exitReasonOf(ctx, b);
      ctx.send(b, 'go');
      await bDown;
      const aDown = exitReasonOf(ctx, a);
      ctx.send(a, 'stop');
      return aDown;
    });
    expect(reason).toEqual({ kind: 'normal' });
  });

  it('a crash in a handler exits only that process; the node and other processes live on', async () => {
    const Crashy = defineProcess('crashy', {
      init: () => 0,
      handle: (_ctx, msg: unknown, n: number) => {
        if (msg === 'crash') throw new Error('handler crash');
        return n + 1;
      },
    });
    const got = await node.run(async (ctx) => {
      const other = ctx.spawn(Idle);
      const c = ctx.spawn(Crashy);
      const down = exitReasonOf(ctx, c);
      ctx.send(c, 'crash');
      const reason = await down;
      return { reason, otherAlive: node.processInfo(other) !== undefined };
    });
    expect(got.reason).toMatchObject({ kind: 'error', error: { name: 'Error', message: 'handler crash' } });
    expect(got.otherAlive).toBe(true);
  });

  it('a long chain of linked processes goes down without recursion (no stack overflow)', async () => {
    const n = 20_000;
    const reason = await node.run(async (ctx) => {
      const self = ctx.self;
      let prev = ctx.spawn(Idle);
      const first = prev;
      for (let i = 0; i < n; i++) {
        const next = ctx.spawn(Idle);
        const left = prev;
        ctx.spawnFn(async (c) => {
          c.link(left);
          c.link(next);
          c.send(self, 'linked');
          await c.receive((m) => (m === 'never' ? m : undefined));
        });
        prev = next;
      }
      const last = prev;
      for (let i = 0; i < n; i++) await ctx.receive((m) => (m === 'linked' ? m : undefined), { timeout: 5000 });
      const down = exitReasonOf(ctx, last);
      ctx.exit(first, ExitReasons.other('cascade'));
      return down;
    });
    expect(reason).toEqual({ kind: 'other', value: 'cascade' });
  });

  it('links are symmetric and cleaned on exit (property over random link/exit sequences)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), { maxLength: 15 }),
        fc.integer({ min: 0, max: 5 }),
        async (pairs, victim) => {
          const result = await node.run(async (ctx) => {
            ctx.trapExit(true);
            const pids = Array.from({ length: 6 }, () => ctx.spawn(Idle));
            // Linker k links to pids i and j of pairs[k].
            const self = ctx.self;
            const linkers = pairs.map(([i, j]) =>
              ctx.spawnFn(async (c) => {
                c.link(pids[i]!);
                c.link(pids[j]!);
                c.send(self, 'linked');
                await c.receive((m) => (m === 'never' ? m : undefined));
              }),
            );
            for (const _ of pairs) await ctx.receive((m) => (m === 'linked' ? m : undefined), { timeout: 2000 });
            const all = [...pids, ...linkers];
            // Which processes are linked (transitively) to the victim: linker k links pairs[k].
            const adj = new Map<number, number[]>();
            pairs.forEach(([i, j], k) => {
              const lk = 6 + k;
              for (const x of [i, j]) {
                adj.set(x, [...(adj.get(x) ?? []), lk]);
                adj.set(lk, [...(adj.get(lk) ?? []), x]);
              }
            });
            const doomed = new Set([victim]);
            const stack = [victim];
            while (stack.length > 0) for (const y of adj.get(stack.pop()!) ?? []) if (!doomed.has(y)) (doomed.add(y), stack.push(y));
            // Kill the victim and wait for the DOWN of every doomed process.
            const refs = new Set([...doomed].map((idx) => ctx.monitor(all[idx]!).key));
            ctx.exit(pids[victim]!, ExitReasons.other('x'));
            while (refs.size > 0) {
              const key = await ctx.receive((m) => (isDownMessage(m) && refs.has(m.ref.key) ? m.ref.key : undefined), { timeout: 2000 });
              refs.delete(key);
            }
            const alive = (p: Pid) => node.processInfo(p) !== undefined && node.processInfo(p)!.status !== 'exiting';
            for (let idx = 0; idx < all.length; idx++) if (!doomed.has(idx) && !alive(all[idx]!)) return `unlinked process ${idx} died`;
            // Symmetry: every live process's links point to live processes that link back.
            for (const p of all.filter(alive)) {
              for (const l of node.processInfo(p)!.links) {
                const other = node.processInfo(l);
                if (other === undefined) return `dangling link ${p} -> ${l}`;
                if (!other.links.some((x) => x.equals(p))) return `asymmetric link ${p} -> ${l}`;
              }
            }
            for (const p of all) if (alive(p)) ctx.exit(p, ExitReasons.kill);
            return 'ok';
          });
          expect(result).toBe('ok');
        },
      ),
      { numRuns: 40 },
    );
  });
});
