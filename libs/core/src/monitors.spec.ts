import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExitReasons, type Ref } from '@sdnode/wire';
import { Node, defineProcess, isDownMessage, type ProcessContext } from './index.js';
import { localNode } from './wait-until.test-util.js';

let node: Node;
beforeEach(async () => {
  node = await localNode();
});
afterEach(async () => {
  await node.stop();
});

const Idle = defineProcess('idle', async (ctx: ProcessContext) => {
  await ctx.receive((m) => (m === 'stop' ? m : undefined));
});

/** Take every message currently in the mailbox. */
async function drain(ctx: ProcessContext): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    const m = await ctx.receive(undefined, { timeout: 0, onTimeout: () => 'EMPTY' });
    if (m === 'EMPTY') return out;
    out.push(m);
  }
}

describe('monitors', () => {
  it('the watcher gets exactly one DOWN with the exit reason', async () => {
    const got = await node.run(async (ctx) => {
      const t = ctx.spawn(Idle);
      const ref = ctx.monitor(t);
      ctx.exit(t, ExitReasons.other('gone'));
      const down = await ctx.receive((m) => (isDownMessage(m) ? m : undefined), { timeout: 1000 });
      // A second monitor on the (now dead) target gets its own noproc DOWN; nothing else is queued.
      const rest = await drain(ctx);
      return { ref: down.ref.equals(ref), target: (down.target as typeof t).equals(t), reason: down.reason, rest };
    });
    expect(got).toEqual({ ref: true, target: true, reason: { kind: 'other', value: 'gone' }, rest: [] });
  });

  it('monitoring a dead or unknown pid fires DOWN noproc at once', async () => {
    const got = await node.run(async (ctx) => {
      const t = ctx.spawnFn(() => undefined);
      const r1 = ctx.monitor(t);
      await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(r1) ? m : undefined), { timeout: 1000 });
      ctx.monitor(t);
      return ctx.receive((m) => (isDownMessage(m) ? m.reason : undefined), { timeout: 0 });
    });
    expect(got).toEqual({ kind: 'noproc' });
  });

  it('monitoring an unregistered name fires DOWN noproc with the name as target', async () => {
    const got = await node.run(async (ctx) => {
      ctx.monitor('nobody');
      return ctx.receive((m) => (isDownMessage(m) ? m : undefined), { timeout: 0 });
    });
    expect(got.reason).toEqual({ kind: 'noproc' });
    expect(got.target).toEqual({ name: 'nobody', node: node.name });
  });

  it('a monitor by name reports the name as target when the process exits', async () => {
    const got = await node.run(async (ctx) => {
      const t = ctx.spawn(Idle);
      node.register('svc', t);
      ctx.monitor({ name: 'svc', node: node.name });
      ctx.send('svc', 'stop');
      return ctx.receive((m) => (isDownMessage(m) ? m : undefined), { timeout: 1000 });
    });
    expect(got.target).toEqual({ name: 'svc', node: node.name });
    expect(got.reason).toEqual({ kind: 'normal' });
    expect(node.whereis('svc')).toBeUndefined();
  });

  it('demonitor stops the DOWN, and flush removes one already delivered', async () => {
    const got = await node.run(async (ctx) => {
      const a = ctx.spawn(Idle);
      const ra = ctx.monitor(a);
      const wasActive = ctx.demonitor(ra);
      ctx.send(a, 'stop');
      const b = ctx.spawn(Idle);
      const rb = ctx.monitor(b);
      const rb2 = ctx.monitor(b);
      ctx.send(b, 'stop');
      // Wait for the second monitor's DOWN, which proves the first one's DOWN is in the mailbox.
      await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(rb2) ? m : undefined), { timeout: 1000 });
      const stillActive = ctx.demonitor(rb, { flush: true });
      // And wait for `a`'s exit through a fresh monitor (noproc or normal), then look at the mailbox.
      const ra2 = ctx.monitor(a);
      await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(ra2) ? m : undefined), { timeout: 1000 });
      return { wasActive, stillActive, rest: await drain(ctx) };
    });
    expect(got).toEqual({ wasActive: true, stillActive: false, rest: [] });
  });

  it('monitors held by an exiting process are removed from their targets', async () => {
    const target = node.spawn(Idle);
    await node.run(async (ctx) => {
      ctx.monitor(target);
    });
    expect(node.processInfo(target)?.monitoredBy).toBe(0);
  });
});

describe('monitors (property)', () => {
  type Op = { op: 'monitor'; t: number } | { op: 'demonitor'; m: number } | { op: 'exit'; t: number };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('monitor' as const), t: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ op: fc.constant('demonitor' as const), m: fc.nat(20) }),
    fc.record({ op: fc.constant('exit' as const), t: fc.integer({ min: 0, max: 3 }) }),
  );

  it('every monitor yields one DOWN (noproc if the target was already dead) unless demonitored with flush', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 25 }), async (ops) => {
        const outcome = await node.run(async (ctx) => {
          const targets = Array.from({ length: 4 }, () => ctx.spawn(Idle));
          const dead = new Set<number>();
          const monitors: Array<{ ref: Ref; t: number; expected: string | null }> = [];
          for (const o of ops) {
            if (o.op === 'monitor') {
              monitors.push({ ref: ctx.monitor(targets[o.t]!), t: o.t, expected: dead.has(o.t) ? 'noproc' : 'pending' });
            } else if (o.op === 'demonitor') {
              const m = monitors[o.m % Math.max(1, monitors.length)];
              if (m !== undefined) {
                ctx.demonitor(m.ref, { flush: true });
                m.expected = null;
              }
            } else if (!dead.has(o.t)) {
              // Exit the target and wait until it is gone (a private monitor, consumed here).
              const probe = ctx.monitor(targets[o.t]!);
              ctx.exit(targets[o.t]!, ExitReasons.other(o.t));
              await ctx.receive((m) => (isDownMessage(m) && m.ref.equals(probe) ? m : undefined), { timeout: 1000 });
              dead.add(o.t);
            }
          }
          for (let t = 0; t < 4; t++) if (!dead.has(t)) ctx.exit(targets[t]!, ExitReasons.other(t));
          for (const m of monitors) if (m.expected === 'pending') m.expected = `other:${m.t}`;
          const expected = monitors.filter((m) => m.expected !== null);
          const got = new Map<string, string[]>();
          for (let i = 0; i < expected.length; i++) {
            const d = await ctx.receive((m) => (isDownMessage(m) ? m : undefined), { timeout: 1000 });
            const r = d.reason.kind === 'other' ? `other:${String(d.reason.value)}` : d.reason.kind;
            got.set(d.ref.key, [...(got.get(d.ref.key) ?? []), r]);
          }
          const extra = await drain(ctx);
          for (const m of expected) {
            const seen = got.get(m.ref.key) ?? [];
            if (seen.length !== 1 || seen[0] !== m.expected) return `monitor on ${m.t}: expected ${m.expected}, got ${JSON.stringify(seen)}`;
          }
          return extra.length === 0 ? 'ok' : `unexpected messages: ${extra.length}`;
        });
        expect(outcome).toBe('ok');
      }),
      { numRuns: 60 },
    );
  });
});
