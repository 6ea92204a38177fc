import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pid, TermCodec } from '@sdnode/wire';
import { parseOp, REGISTRY_CHANNEL, REGISTRY_PROTOCOL_VERSION } from './ops.js';
import { eventually, registryCluster, spawnIdle, type RegistryCluster, type TestMember } from './testing/registry-cluster.test-util.js';

const anyTerm = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 6 }),
  fc.constant(new Pid('x@127.0.0.1', 1, 1)),
);
const OPS = ['hello', 'view', 'claim', 'claims', 'result', 'oks', 'set', 'sets', 'del', 'inval', 'resolve', 'sync', 'hsync', 'verify', 'verified', 'fwd', 'lookup', 'found', 'send', 'join', 'leave', 'pgsync', 'bogus'];

describe('bad input to the registry', () => {
  let c: RegistryCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('parseOp never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(anyTerm, fc.tuple(fc.constantFrom(...OPS)).chain(([op]) => fc.array(anyTerm, { maxLength: 8 }).map((rest) => [op, ...rest]))), (raw) => {
        const parsed = parseOp(raw, 'peer@127.0.0.1');
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
    const codec = new TermCodec();
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
      ['global', [['sets', 'h', 1, [['n', -1, null, 'id', 1, null]]]]], // a pid id must be a non-negative integer
      ['global', [['sets', 'h', 1, []]]], // no entries
      ['global', [['claims', 'h', 1, [[1, 'unreg', 'n', 3, null]]]]], // CLAIMS carries reg and rereg only
      ['global', [['oks', 1, [[1, 'n', -1, null, 'id', 1, null]]]]], // OKS: a pid id must be a non-negative integer
      ['global', [['oks', 1, []]]], // OKS without items
      ['global', [Buffer.from([0xff, 0x00, 0x13])]], // a broadcast item that is not CBOR
      ['global', [codec.encode({ not: 'a list' })]], // a broadcast item that is not a list of ops
      ['global', [codec.encode([['view', 7], ['bogus']])]], // a list with two bad ops
    ];
    for (const body of garbage) b.node.control.send(a.node.name, REGISTRY_CHANNEL, body);
    await eventually(() => a.registry.global.info().stats.dropped === before + 15 && a.registry.droppedFrames === 4, 'a counted the bad ops and frames', () => c.describe());
    expect(a.registry.global.count()).toBe(0);
    expect(a.registry.global.pg.whichGroups()).toEqual([]);
    // still works
    const [p] = spawnIdle(b.node, 1);
    expect((await b.registry.global.register('fine', p!)).ok).toBe(true);
    await eventually(() => a.registry.global.whereis('fine')?.equals(p!) === true, 'a sees fine');
  });

  it('does not admit a peer that speaks another version of the protocol', async () => {
    c = await registryCluster(['a', 'b']);
    await c.mesh();
    const [a, b] = c.members as [TestMember, TestMember];
    await eventually(() => a.registry.global.view().members.length === 2 && a.registry.global.view().stable, 'views', () => c.describe());
    // b's scope says it restarted, speaking the previous version (no OKS).
    b.node.control.send(a.node.name, REGISTRY_CHANNEL, ['global', [['hello', 'replicated', false, REGISTRY_PROTOCOL_VERSION - 1, b.node.creation]]]);
    await eventually(() => a.registry.global.info().refused[b.node.name] !== undefined, 'a refused b', () => c.describe());
    expect(a.registry.global.info().refused[b.node.name]).toContain(`protocol version ${REGISTRY_PROTOCOL_VERSION - 1}`);
  });
});
