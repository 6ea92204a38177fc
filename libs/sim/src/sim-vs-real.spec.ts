import { describe, expect, it } from 'vitest';
import { FrameTally, type Counts } from './frame-tally.js';
import { membershipChange, registrations } from './measurements.js';
import { partitionHeal } from './partition-heal.js';
import { SimCluster, type ClusterOptions } from './sim-cluster.js';
import { VirtualClock } from './virtual-clock.js';

/** Groups of four in a ring, each with the first node of the next group as its gateway (bench/scale's layout, smaller). */
function ring(names: readonly string[], size: number): Record<string, string[]> {
  const count = Math.ceil(names.length / size);
  const groups: Record<string, string[]> = {};
  for (let g = 0; g < count; g++) {
    const members = names.slice(size * g, size * g + size);
    const gateway = names[(size * ((g + 1) % count)) % names.length]!;
    if (!members.includes(gateway)) members.push(gateway);
    groups[`g${g}`] = members;
  }
  return groups;
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}@10.0.0.${i + 1}`);

interface Trace {
  readonly connections: Record<string, string[]>;
  readonly phases: Record<string, Counts>;
  readonly outcomes: Record<string, unknown>;
}

/** The same scenario on a backend: start one by one, 6 registrations, a membership change, a partition and heal. */
async function scenario(backend: 'sim' | 'memory', options: Omit<ClusterOptions, 'backend'>): Promise<Trace> {
  const clock = new VirtualClock().install();
  try {
    const settle = { fixedMs: 4000 };
    const all = [...options.names];
    // MemoryTransport tries a dial into a partition every 20 ms: the simulated dials do the same.
    const c = await SimCluster.start(clock, { ...options, names: all.slice(0, -1), backend, link: { latencyMs: 0, dialRetryMaxMs: 20 }, settle });
    const phases: Record<string, Counts> = { start: c.tally.snapshot() };
    const connections = Object.fromEntries(c.nodes.map((n) => [n.node.name, n.node.nodes({ all: true }).sort()]));
    const reg = await registrations(c, 6, 7, settle);
    phases['registrations'] = reg.counts;
    const change = await membershipChange(c, all[all.length - 1]!, settle);
    phases['membership'] = change.counts;
    const heal = await partitionHeal(c, settle);
    phases['heal'] = heal.cost.counts;
    await c.stop();
    return { connections, phases, outcomes: { failed: reg.failed, changed: change.ok, cut: heal.cut, restored: heal.connectionsRestored, resolved: heal.conflictResolved } };
  } finally {
    clock.uninstall();
  }
}

/**
 * The heal's counts on both backends. A heal re-forms many connections at once, and the order they
 * come up in is the transports' own: the free mesh's (25 at once) follows each transport's
 * handshakes; the s_group nodes re-dial at the maintenance round their policy armed when the
 * partition took a member away, and the two transports report those nodedowns in their own order
 * (MemoryTransport through its engine's events, the simulator pair by pair), which orders the
 * re-dials of the same millisecond. The registry's VERIFY of an entry relayed by a node other than
 * its home, and the SYNC a newly met node gets, follow that order: those counts may differ by a
 * few. Every other count is equal.
 */
function expectHealAlike(simHeal: Counts, realHeal: Counts): void {
  expect(Object.keys(simHeal)).toEqual(Object.keys(realHeal));
  const orderDependent = (k: string): boolean => /:(verify|verified|sync)$/.test(k) || k === 'control:sdnode.registry';
  for (const [k, v] of Object.entries(realHeal)) {
    if (orderDependent(k)) expect(Math.abs(simHeal[k]! - v), k).toBeLessThanOrEqual(Math.max(2, 0.05 * v));
    else expect(simHeal[k], k).toBe(v);
  }
}

describe('the simulator against the real runtime (MemoryTransport), same scenario', () => {
  it('s_groups, 13 nodes in groups of 4 with gateways: same connections, same frames and messages in every phase (those of the heal that depend on order within a few)', async () => {
    const all = names(14);
    const options = { names: all, groups: ring(all.slice(0, 13), 4), scope: { mode: 'replicated' as const } };
    const real = await scenario('memory', options);
    const sim = await scenario('sim', options);
    expect(sim.connections).toEqual(real.connections);
    expect(sim.outcomes).toEqual({ failed: 0, changed: true, cut: expect.any(Number), restored: true, resolved: true });
    expect(sim.outcomes).toEqual(real.outcomes);
    for (const p of ['start', 'registrations', 'membership']) expect({ phase: p, counts: sim.phases[p] }).toEqual({ phase: p, counts: real.phases[p] });
    expectHealAlike(sim.phases['heal']!, real.phases['heal']!);
    expect(FrameTally.frames(sim.phases['start']!)).toBeGreaterThan(0);
  });

  it('free nodes (full mesh), 9 nodes, partitioned registry: same connections, same frames and messages in every phase (those of the heal that depend on order within a few)', async () => {
    const all = names(10);
    const options = { names: all, groups: null, scope: { mode: 'partitioned' as const } };
    const real = await scenario('memory', options);
    const sim = await scenario('sim', options);
    expect(sim.connections).toEqual(real.connections);
    expect(Object.values(sim.connections).every((c) => c.length === 8)).toBe(true);
    expect(sim.outcomes).toEqual({ failed: 0, changed: true, cut: 25, restored: true, resolved: true });
    expect(sim.outcomes).toEqual(real.outcomes);
    for (const p of ['start', 'registrations', 'membership']) expect({ phase: p, counts: sim.phases[p] }).toEqual({ phase: p, counts: real.phases[p] });
    expectHealAlike(sim.phases['heal']!, real.phases['heal']!);
  });
});
