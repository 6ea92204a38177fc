import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runModel, type Command } from './testing/registry-model-run.test-util.js';

const idx = fc.nat({ max: 7 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('reg' as const), at: idx, name: idx, owner: idx, pid: idx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('rereg' as const), at: idx, name: idx, owner: idx, pid: idx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('unreg' as const), at: idx, name: idx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('exit' as const), owner: idx, pid: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constantFrom('crash' as const, 'restart' as const), node: idx }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('partition' as const), mask: fc.integer({ min: 1, max: 14 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'heal' as const }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 15 }) }) },
);

for (const mode of ['replicated', 'partitioned'] as const) {
  describe(`the registry under random operations, partitions, crashes and heals (${mode})`, () => {
    for (const resolver of ['exitLoser', 'unregisterBoth'] as const) {
      it(`keeps names unique per side, converges after heal, never resolves dead pids, resolves conflicts (${resolver})`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 30 }), async (commands) => {
            const problems = await runModel(commands, { mode, resolver });
            expect(problems, problems.join('\n')).toEqual([]);
          }),
          { numRuns: Number(process.env['SDNODE_PROPERTY_RUNS'] ?? 12), endOnFailure: true },
        );
      }, 120_000);
    }
  });
}
