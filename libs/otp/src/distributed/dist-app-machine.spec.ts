import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DistAppMachine } from './dist-app-machine.js';
import { SimCluster, type SimStepKind } from './dist-app-simulation.test-util.js';
import type { DistAppSpec } from './dist-app-types.js';

const SPEC: DistAppSpec = { name: 'billing', failoverTimeout: 5000, nodes: [['n1'], ['n2', 'n3']] };

/** A cluster of the three candidates, started and meshed, settled. */
function meshed(spec: DistAppSpec = SPEC): SimCluster {
  const c = new SimCluster(spec);
  c.meshAll();
  c.settle();
  return c;
}

describe('the distributed application state machine', () => {
  it('starts at once, with start type normal, on the first node once every candidate is synced', () => {
    const c = meshed();
    expect(c.holders()).toEqual(['n1']);
    expect(c.node('n1').starts).toEqual(['normal']);
    expect(c.node('n1').machine.currentPhase).toBe('running');
  });

  it('waits failoverTimeout before starting while a candidate is missing (the timer is the only way)', () => {
    const c = new SimCluster(SPEC);
    c.crash('n3');
    c.connect('n1', 'n2');
    while (c.deliver('n1', 'n2') || c.deliver('n2', 'n1'));
    expect(c.holders()).toEqual([]);
    expect(c.node('n1').timer).not.toBeNull();
    expect(c.node('n2').timer).toBeNull(); // not the best: no timer
    c.fireTimer('n1');
    expect(c.node('n1').starts).toEqual(['normal']);
  });

  it('fails over to the first node (by name) of the next level after the timeout when the holder dies', () => {
    const c = meshed();
    c.crash('n1');
    while (c.deliver('n2', 'n1') || c.deliver('n3', 'n1'));
    expect(c.holders()).toEqual([]);
    expect(c.node('n3').timer).toBeNull();
    expect(c.fireTimer('n2')).toBe(true);
    c.settle();
    expect(c.holders()).toEqual(['n2']);
    expect(c.node('n2').starts).toEqual(['failover:n1']);
  });

  it('takes over when the first node comes back: the holder stops first, then n1 starts with start type takeover', () => {
    const c = meshed();
    c.crash('n1');
    c.settle();
    expect(c.holders()).toEqual(['n2']);
    c.restart('n1');
    c.connect('n1', 'n2');
    c.connect('n1', 'n3');
    // Run the exchange step by step, checking that two instances never coexist.
    let both = false;
    for (let i = 0; i < 1000 && (c.holders().length !== 1 || c.holders()[0] !== 'n1' || c.node('n1').pendingStart !== null); i++) {
      if (c.node('n1').machine.hasInstance && c.node('n2').machine.hasInstance) both = true;
      if (!c.deliver('n1', 'n2') && !c.deliver('n2', 'n1') && !c.deliver('n1', 'n3') && !c.deliver('n3', 'n1') && !c.completeStop('n2')) c.completeStart('n1');
    }
    expect(both).toBe(false);
    expect(c.holders()).toEqual(['n1']);
    expect(c.node('n1').starts).toEqual(['takeover:n2']);
  });

  it('does not take over from a node of the same priority level', () => {
    const c = meshed();
    c.crash('n1');
    c.crash('n2');
    c.settle(); // n3 is alone: its timer runs out, it starts
    expect(c.holders()).toEqual(['n3']);
    c.restart('n2');
    c.connect('n2', 'n3');
    c.settle();
    expect(c.holders()).toEqual(['n3']);
    expect(c.node('n2').starts).toEqual([]);
  });

  it('keeps one instance when two sides of a partition meet: the worse holder stops and defers the better', () => {
    const c = meshed();
    c.disconnect('n1', 'n2');
    c.disconnect('n1', 'n3');
    c.settle(); // n2 fails over on its side; n1 keeps running on its own
    expect(c.holders().sort()).toEqual(['n1', 'n2']);
    c.connect('n1', 'n2');
    c.deliver('n1', 'n2'); // n1: nodeup n2
    c.deliver('n2', 'n1'); // n2: nodeup n1
    c.deliver('n1', 'n2'); // n1 gets n2's status: n1 ranks better, keeps running, counts n2 as synced
    expect(c.node('n1').machine.isSynced('n2')).toBe(true);
    c.deliver('n2', 'n1'); // n2 gets n1's status: it stops, n1 deferred
    expect(c.node('n2').machine.currentPhase).toBe('stopping');
    expect(c.node('n2').machine.isSynced('n1')).toBe(false);
    expect(c.violations()).toEqual([]);
    c.connect('n1', 'n3');
    c.settle();
    expect(c.holders()).toEqual(['n1']);
    expect(c.node('n2').machine.isSynced('n1')).toBe(true);
  });

  it('moves the application at once when its holder gives it up (the instance exited, the node lives)', () => {
    const c = meshed();
    c.exit('n1');
    expect(c.node('n1').machine.currentPhase).toBe('retired');
    // n2 gets n1's release: no failover wait.
    c.settle();
    expect(c.holders()).toEqual(['n2']);
    expect(c.node('n2').starts).toEqual(['failover:n1']);
    expect(c.node('n2').timer).toBeNull();
  });

  it('hands the application over at once when its holder shuts down gracefully', () => {
    const c = meshed();
    c.shutdown('n1');
    expect(c.node('n1').pendingStop).toBe(true);
    c.completeStop('n1');
    // Its final status asks for answers: handed over only once n2 and n3 have answered.
    expect(c.node('n1').machine.handedOver).toBe(false);
    c.deliver('n2', 'n1');
    c.deliver('n1', 'n2');
    expect(c.node('n1').machine.handedOver).toBe(false);
    c.settle();
    expect(c.node('n1').machine.handedOver).toBe(true);
    expect(c.holders()).toEqual(['n2']);
    expect(c.node('n1').machine.currentPhase).toBe('retired');
  });

  it('gives up on a node whose start fails; the next node starts it', () => {
    const c = new SimCluster(SPEC);
    c.meshAll();
    while ([...c.nodes.keys()].some((a) => [...c.nodes.keys()].some((b) => c.deliver(a, b))));
    expect(c.node('n1').pendingStart).toBe('normal');
    c.completeStart('n1', false);
    c.settle();
    expect(c.holders()).toEqual(['n2']);
  });

  it('does not start while a connected candidate has not said whether it holds an instance', () => {
    const c = new SimCluster(SPEC);
    c.crash('n1');
    c.crash('n3');
    c.restart('n3');
    c.connect('n2', 'n3');
    c.deliver('n2', 'n3'); // n2: nodeup n3, but n3's status is still on the way
    expect(c.fireTimer('n2')).toBe(true); // the failover wait is over...
    expect(c.node('n2').pendingStart).toBeNull(); // ...but n3 might hold an instance
    c.deliver('n3', 'n2');
    c.deliver('n2', 'n3'); // n3's status: nothing runs, n2 ranks first
    expect(c.node('n2').pendingStart).toBe('normal');
  });

  it('ignores a takeover request from a node that is not synced or not of a better level', () => {
    const m = new DistAppMachine({ ...SPEC, failoverTimeout: 0 }, 'n2');
    m.handle({ type: 'nodeup', peer: 'n3' });
    // n3's status arrives: n1 is missing, there is no failover wait, n2 is the best eligible node.
    expect(m.handle({ type: 'status', from: 'n3', instance: false, eligible: false, hello: false })).toContainEqual({ type: 'start', startType: { kind: 'normal' } });
    m.handle({ type: 'started' });
    expect(m.handle({ type: 'takeover', from: 'n3' })).toEqual([]);
    expect(m.handle({ type: 'takeover', from: 'n1' })).toEqual([]);
    expect(m.currentPhase).toBe('running');
  });

  it("answers a peer's hello with its own status, and only a hello", () => {
    const m = new DistAppMachine(SPEC, 'n2');
    m.handle({ type: 'init' });
    const hello = m.handle({ type: 'nodeup', peer: 'n3' });
    expect(hello).toContainEqual({ type: 'send', to: 'n3', message: { v: 1, kind: 'status', app: 'billing', instance: false, eligible: true, hello: true } });
    // n3's own hello (its first status after its nodeup): answered, in case our hello reached it before it listened.
    expect(m.handle({ type: 'status', from: 'n3', instance: false, eligible: true, hello: true })).toContainEqual({
      type: 'send',
      to: 'n3',
      message: { v: 1, kind: 'status', app: 'billing', instance: false, eligible: true, hello: false },
    });
    expect(m.handle({ type: 'status', from: 'n3', instance: false, eligible: true, hello: false }).filter((e) => e.type === 'send')).toEqual([]);
  });

  it('rejects a node that is not a candidate', () => {
    expect(() => new DistAppMachine(SPEC, 'n9')).toThrow(/not a candidate/);
  });
});

// ---- property: random schedules ----

const PROPERTY_SPEC: DistAppSpec = { name: 'app', failoverTimeout: 1000, nodes: [['a'], ['b', 'c'], ['d']] };

/** A step: a kind (weighted: faults are rarer than deliveries) and which of the enabled steps of that kind. */
const stepArb = fc.tuple(
  fc.oneof(
    { weight: 20, arbitrary: fc.constant<SimStepKind>('deliver') },
    { weight: 6, arbitrary: fc.constant<SimStepKind>('complete') },
    { weight: 3, arbitrary: fc.constant<SimStepKind>('timer') },
    { weight: 3, arbitrary: fc.constant<SimStepKind>('connect') },
    { weight: 2, arbitrary: fc.constant<SimStepKind>('disconnect') },
    { weight: 1, arbitrary: fc.constantFrom<SimStepKind>('crash', 'restart', 'exit', 'start_fail', 'shutdown') },
  ),
  fc.nat(1000),
);

interface Seen {
  runs: number;
  concurrentHolders: number;
  takeovers: number;
}

describe('the distributed application protocol over random schedules (property)', () => {
  it('never lets two nodes that count each other as synced hold an instance, and converges to one instance on the best level', () => {
    const seen: Seen = { runs: 0, concurrentHolders: 0, takeovers: 0 };
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 400, size: 'max' }), fc.boolean(), (steps, reviveDead) => {
        const c = new SimCluster(PROPERTY_SPEC);
        let concurrent = false;
        for (const [kind, pick] of steps) {
          const actions = c.enabled(kind);
          if (actions.length > 0) actions[pick % actions.length]!();
          expect(c.violations()).toEqual([]);
          if (c.holders().length > 1) concurrent = true;
        }
        // Heal everything and let the protocol run to quiescence (settle checks the invariant at each step).
        if (reviveDead) for (const n of c.nodes.keys()) c.restart(n);
        c.meshAll();
        c.settle();
        seen.runs++;
        if (concurrent) seen.concurrentHolders++;
        if ([...c.nodes.values()].some((n) => n.starts.some((s) => s.startsWith('takeover')))) seen.takeovers++;
        const alive = [...c.nodes.values()].filter((n) => n.alive);
        // Every node that gave the application up knows its peers know.
        for (const n of alive) expect(n.machine.snapshot().eligible || n.machine.handedOver, n.name).toBe(true);
        const eligible = alive.filter((n) => n.machine.snapshot().eligible);
        const holders = c.holders();
        if (eligible.length === 0) {
          expect(holders).toEqual([]);
          return;
        }
        expect(holders).toHaveLength(1);
        const holder = c.node(holders[0]!);
        expect(holder.machine.currentPhase).toBe('running');
        const level = (n: string) => PROPERTY_SPEC.nodes.findIndex((l) => l.includes(n));
        expect(level(holder.name)).toBe(Math.min(...eligible.map((n) => level(n.name))));
      }),
      { numRuns: 500 },
    );
    // The schedules must reach the interesting states: instances on both sides of a cut, takeovers.
    expect(seen.concurrentHolders).toBeGreaterThan(seen.runs / 20);
    expect(seen.takeovers).toBeGreaterThan(seen.runs / 20);
  });
});
