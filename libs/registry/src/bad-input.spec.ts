import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pid } from '@sdnode/wire';
import { parseOp, REGISTRY_CHANNEL } from './ops.js';
import { eventually, registryCluster, spawnIdle, type RegistryCluster, type TestMember } from './testing/registry-cluster.test-util.js';

const anyTerm = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 6 }),
  fc.constant(new Pid('x@127.0.0.1', 1, 1)),
);
const OPS = ['hello', 'view', 'claim', 'result', 'set', 'del', 'inval', 'resolve', 'sync', 'hsync', 'verify', 'verified', 'fwd', 'lookup', 'found', 'send', 'join', 'leave', 'pgsync', 'bogus'];

describe('bad input to the registry', () => {
  let c: RegistryCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('parseOp never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(anyTerm, fc.tuple(fc.constantFrom(...OPS)).chain(([op]) => fc.array(anyTerm, { maxLength: 8 }).map((rest) => [op, ...rest]))), (raw) => {
        const parsed = parseOp(raw);
        expect(typeof parsed === 'string' || typeof parsed === 'object').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('drops and counts malformed or forged ops from a peer, and keeps working', async () => {
    c = await registryCluster(['a', 'b']);
    await c.mesh();
    const [a, b] = c.members as [TestMember, TestMember];
    await eventually(() => a.registry.global.view().members.length === 2 && a.registry.global.view().stable, 'views', () => c.describe());
    const before = a.registry.global.info().stats.dropped;
    const [pidOnA] = spawnIdle(a.node, 1);
    const garbage: unknown[] = [
      'not a frame',
      ['global'],
      ['global', 'not ops'],
      ['global', [['claim', 1, 'reg', '', null, null, 'h']]], // empty name
      ['global', [['set', ['n', 'not a pid', null, 'id', 1], null, 'h']]],
      ['global', [['join', 'g', [pidOnA]]]], // b may not join a's pids
      ['global', [['hsync', [['n', pidOnA, null, 'id1', 1]]]]], // b is not the home of pidOnA
      ['global', [['bogus', 1, 2, 3]]],
      ['global', [[42]]],
      ['no-such-scope', [['view', 'x']]],
    ];
    for (const body of garbage) b.node.control.send(a.node.name, REGISTRY_CHANNEL, body);
    await eventually(() => a.registry.global.info().stats.dropped === before + 6 && a.registry.droppedFrames === 4, 'a counted the bad ops and frames', () => c.describe());
    expect(a.registry.global.count()).toBe(0);
    expect(a.registry.global.pg.whichGroups()).toEqual([]);
    // still works
    const [p] = spawnIdle(b.node, 1);
    expect((await b.registry.global.register('fine', p!)).ok).toBe(true);
    await eventually(() => a.registry.global.whereis('fine')?.equals(p!) === true, 'a sees fine');
  });
});
