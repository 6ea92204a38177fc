import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Node } from '@sdnode/core';
import type { Pid } from '@sdnode/wire';
import { GenServer } from '../gen-server/gen-server.js';
import { Supervisor } from './supervisor.js';
import type { Strategy } from './supervisor-state.js';
import { eventLog, types, Worker, workers } from './children.test-util.js';
import { localNode, waitUntil } from '../testing.test-util.js';

/** The model: which children a crash of child `i` of `n` restarts under each strategy. */
function restarted(strategy: Strategy, n: number, i: number): number[] {
  if (strategy === 'one_for_all') return [...Array(n).keys()];
  if (strategy === 'rest_for_one') return [...Array(n).keys()].filter((k) => k >= i);
  return [i];
}

describe('Supervisor strategies (property)', () => {
  let node: Node;
  beforeAll(async () => {
    node = await localNode({ types });
  });
  afterAll(async () => {
    await node.stop();
  });

  it('restarts exactly the children the strategy names, for any crash sequence, and keeps the start order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Strategy>('one_for_one', 'one_for_all', 'rest_for_one'),
        fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 4 }))),
        async (strategy, [n, crashes]) => {
          const log = eventLog(node);
          const ids = [...Array(n).keys()].map((k) => `c${k}`);
          const sup = await Supervisor.startWith(node, { strategy, intensity: 100, period: 60_000, children: workers(ids, log.pid) });
          try {
            for (const i of crashes) {
              const before = await Supervisor.whichChildren(node, sup);
              const expected = restarted(strategy, n, i);
              const seen = log.events.length;
              GenServer.cast(node, Worker.ref(before[i]!.pid as Pid), 'crash');
              // Every restarted child reports one stop and one start.
              await waitUntil(() => log.events.length === seen + 2 * expected.length, `restart after crash of c${i}`);
              const after = await Supervisor.whichChildren(node, sup);
              const changed = after.flatMap((c, k) => ((c.pid as Pid).equals(before[k]!.pid) ? [] : [k]));
              expect(changed).toEqual(expected);
              const starts = log.events.slice(seen).flatMap((e) => ('started' in e ? [e.started] : []));
              expect(starts).toEqual(expected.map((k) => `c${k}`));
            }
          } finally {
            await GenServer.stop(node, sup);
            node.exit(log.pid, { kind: 'kill' });
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
