import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Attributes } from './attributes.js';
import { reportMoved } from './report-change.js';

const SAMPLED = new Set(['cpus', 'memTotal', 'memFree', 'load1', 'elu', 'lag', 'processes', 'uptime', 'load']);
const base: Attributes = { cpus: 2, memTotal: 24_000, memFree: 20_000, load1: 1, elu: 0.1, lag: 2, processes: 100, uptime: 10, load: 0.1 };
const moved = (change: Attributes, sampled: ReadonlySet<string> = SAMPLED) => reportMoved(base, { ...base, ...change }, sampled);

describe('reportMoved: when a sampled report is worth sending again', () => {
  it('an identical report has not moved', () => {
    expect(reportMoved(base, { ...base }, SAMPLED)).toBe(false);
  });

  it('each built-in figure moves at its tolerance, not below', () => {
    const cases: Array<[Attributes, Attributes]> = [
      [{ elu: 0.14, load: 0.14 }, { elu: 0.15 }],
      [{ load: 0.06 }, { load: 0.05 }],
      [{ lag: 2.9 }, { lag: 3 }], // max(1 ms, 25 % of 2)
      [{ load1: 1.09 }, { load1: 1.1 }], // max(0.1, 10 % of 1)
      [{ memFree: 20_000 - 479 }, { memFree: 20_000 - 480 }], // 2 % of 24,000 MiB
      [{ processes: 104 }, { processes: 105 }], // max(1, 5 % of 100)
    ];
    for (const [below, at] of cases) {
      expect(moved(below), JSON.stringify(below)).toBe(false);
      expect(moved(at), JSON.stringify(at)).toBe(true);
    }
  });

  it('uptime alone never moves a report; cpus and memTotal move it at any change', () => {
    expect(moved({ uptime: 99_999 })).toBe(false);
    expect(moved({ cpus: 3 })).toBe(true);
    expect(moved({ memTotal: 24_001 })).toBe(true);
  });

  it('small process counts move at every change', () => {
    expect(reportMoved({ ...base, processes: 3 }, { ...base, processes: 4 }, SAMPLED)).toBe(true);
  });

  it('a figure that is not sampled (static, user-defined, a built-in overridden) moves at any change', () => {
    const notSampled = new Set([...SAMPLED].filter((k) => k !== 'load'));
    expect(moved({ load: 0.11 }, notSampled)).toBe(true);
    expect(moved({ tier: 'worker' })).toBe(true);
    expect(reportMoved({ ...base, tier: 'worker' }, { ...base, tier: 'edge' }, SAMPLED)).toBe(true);
    expect(reportMoved({ ...base, tier: 'worker' }, base, SAMPLED)).toBe(true); // deleted
    expect(reportMoved({ ...base, gpu: true }, { ...base, gpu: true }, SAMPLED)).toBe(false);
  });

  it('a type change of a sampled name moves the report', () => {
    expect(moved({ elu: 'high' })).toBe(true);
  });

  it('a report within every tolerance of the last one sent never moves (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          elu: fc.double({ min: -0.049, max: 0.049, noNaN: true }),
          lag: fc.double({ min: -0.99, max: 0.99, noNaN: true }),
          load1: fc.double({ min: -0.099, max: 0.099, noNaN: true }),
          memFree: fc.integer({ min: -479, max: 479 }),
          processes: fc.integer({ min: -4, max: 4 }),
          uptime: fc.integer({ min: 0, max: 1e6 }),
        }),
        (d) => {
          const next = { ...base, elu: base['elu'] as number + d.elu, load: base['load'] as number + d.elu, lag: base['lag'] as number + d.lag, load1: base['load1'] as number + d.load1, memFree: base['memFree'] as number + d.memFree, processes: base['processes'] as number + d.processes, uptime: d.uptime };
          return !reportMoved(base, next, SAMPLED);
        },
      ),
    );
  });
});
