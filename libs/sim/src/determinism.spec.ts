import { describe, expect, it } from 'vitest';
import { runPoint, type PointResult, type PointSpec } from './run-point.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}@10.1.0.${i + 1}`);

/** What must not depend on the run: everything but wall time and memory. */
function figures(r: PointResult): unknown {
  const { wallMs: _w, heapPerNode: _h, start, ...rest } = r;
  const { wallMs: _sw, ...startFigures } = start;
  return { ...rest, start: startFigures };
}

describe('the simulator is deterministic', () => {
  const all = names(21);
  const spec: PointSpec = {
    variant: 'sgroups',
    mode: 'partitioned',
    names: all.slice(0, 20),
    groups: { a: all.slice(0, 8), b: [...all.slice(8, 14), all[0]!], c: [...all.slice(14, 20), all[8]!] },
    extraName: all[20]!,
    link: { latencyMs: 2, jitterMs: 3, lossRate: 0.02, retransmitMs: 200, seed: 42 },
    registrations: 8,
    seed: 5,
    wave: 7,
  };

  it('gives the same figures for the same seed, and other timings for another seed', async () => {
    const first = await runPoint(spec);
    const second = await runPoint(spec);
    expect(figures(second)).toEqual(figures(first));
    expect(first.lostFrames).toBeGreaterThan(0);
    expect(first.heal?.connectionsRestored).toBe(true);
    expect(first.heal?.conflictResolved).toBe(true);
    expect(first.membership.ok).toBe(true);
    expect(first.registration.failed).toBe(0);
    const other = await runPoint({ ...spec, link: { ...spec.link, seed: 43 } });
    expect(other.connections).toEqual(first.connections);
    expect(other.heal?.convergeMs).not.toBe(first.heal?.convergeMs);
  });
});
