import { Pid, TermCodec, type Term } from '@sdnode/wire';
import { describe, expect, it } from 'vitest';
import type { Op } from './ops.js';
import { EARLY_FLUSH_WEIGHT, MAX_OPS_PER_FRAME, Outbox } from './outbox.js';

const SELF = 'a@h';
const CREATION = 7;

/** An outbox whose frames are captured (flushed by hand) and whose broadcasts are encoded with a real TermCodec. */
function capture(options: { failEncode?: boolean } = {}) {
  const codec = new TermCodec();
  const frames: Array<{ peer: string; body: [string, unknown[]] }> = [];
  let encodes = 0;
  const outbox = new Outbox(
    (peer, body) => {
      frames.push({ peer, body: body as [string, unknown[]] });
      return true;
    },
    (ops) => {
      encodes++;
      if (options.failEncode === true) throw new Error('unsendable');
      return codec.encode(ops as unknown as Term);
    },
    SELF,
    CREATION,
  );
  /** Every op each peer receives, broadcast items decoded, in order. */
  const received = (peer: string): unknown[] => {
    const out: unknown[] = [];
    for (const f of frames.filter((x) => x.peer === peer)) {
      for (const item of f.body[1]) {
        if (item instanceof Uint8Array) {
          const r = codec.decode(item);
          if (!r.ok) throw r.error;
          out.push(...(r.value as unknown[]));
        } else out.push(item);
      }
    }
    return out;
  };
  return { outbox, frames, received, encodes: () => encodes };
}

const own = (id: number): Pid => new Pid(SELF, id, CREATION);
const setOf = (name: string, pid: Pid, view = 'v1'): Op => ['set', [name, pid, null, `id-${name}`, 1000], null, view];

describe('Outbox', () => {
  it('encodes ops pushed to several peers once, and keeps each peer order with its own ops', () => {
    const { outbox, received, encodes } = capture();
    const peers = ['b@h', 'c@h', 'd@h'];
    outbox.pushAll(peers, 'global', ['view', 'h1']);
    outbox.pushAll(peers, 'global', ['del', 'x', 'id1', 'died']);
    outbox.push('c@h', 'global', ['verified', 3, []]);
    outbox.pushAll(peers, 'global', ['del', 'y', 'id2', 'died']);
    outbox.flush();
    expect(encodes()).toBe(2);
    expect(received('b@h')).toEqual([['view', 'h1'], ['del', 'x', 'id1', 'died'], ['del', 'y', 'id2', 'died']]);
    expect(received('c@h')).toEqual([['view', 'h1'], ['del', 'x', 'id1', 'died'], ['verified', 3, []], ['del', 'y', 'id2', 'died']]);
    expect(received('d@h')).toEqual(received('b@h'));
  });

  it('coalesces the OKS answers to one home of one creation, in order with other ops', () => {
    const { outbox, received } = capture();
    outbox.push('b@h', 'global', ['oks', 3, [[1, 'n1', 11, null, 'x1', 5, null]]]);
    outbox.push('b@h', 'global', ['oks', 3, [[2, 'n2', 12, { m: 1 }, 'x2', 6, 'x0']]]);
    outbox.push('b@h', 'global', ['result', 4, 'taken', own(1)]);
    outbox.push('b@h', 'global', ['oks', 3, [[5, 'n5', 15, null, 'x5', 7, null]]]);
    outbox.push('b@h', 'global', ['oks', 4, [[6, 'n6', 16, null, 'x6', 8, null]]]);
    outbox.flush();
    expect(received('b@h')).toEqual([
      ['oks', 3, [[1, 'n1', 11, null, 'x1', 5, null], [2, 'n2', 12, { m: 1 }, 'x2', 6, 'x0']]],
      ['result', 4, 'taken', own(1)],
      ['oks', 3, [[5, 'n5', 15, null, 'x5', 7, null]]],
      ['oks', 4, [[6, 'n6', 16, null, 'x6', 8, null]]],
    ]);
  });

  it('coalesces SETs and CLAIMs of its own pids, leaving out their node and creation', () => {
    const { outbox, received } = capture();
    const remote = new Pid('z@h', 5, 1);
    outbox.push('b@h', 'global', setOf('n1', own(1)));
    outbox.push('b@h', 'global', setOf('n2', own(2)));
    outbox.push('b@h', 'global', setOf('n3', remote));
    outbox.push('b@h', 'global', setOf('n4', own(4), 'v2'));
    outbox.push('b@h', 'global', ['claim', 1, 'reg', 'c1', own(9), { m: 1 }, 'v2']);
    outbox.push('b@h', 'global', ['claim', 2, 'rereg', 'c2', own(10), null, 'v2']);
    outbox.push('b@h', 'global', ['claim', 3, 'unreg', 'c3', null, null, 'v2']);
    outbox.flush();
    expect(received('b@h')).toEqual([
      ['sets', 'v1', CREATION, [['n1', 1, null, 'id-n1', 1000, null], ['n2', 2, null, 'id-n2', 1000, null]]],
      setOf('n3', remote),
      ['sets', 'v2', CREATION, [['n4', 4, null, 'id-n4', 1000, null]]],
      ['claims', 'v2', CREATION, [[1, 'reg', 'c1', 9, { m: 1 }], [2, 'rereg', 'c2', 10, null]]],
      ['claim', 3, 'unreg', 'c3', null, null, 'v2'],
    ]);
  });

  it('splits frames at MAX_OPS_PER_FRAME, coalesced ops counted one by one', () => {
    const { outbox, frames, received } = capture();
    for (let i = 0; i < MAX_OPS_PER_FRAME * 2 + 3; i++) outbox.push('b@h', 'global', setOf(`n${i}`, own(i)));
    outbox.flush();
    expect(frames.length).toBe(3);
    const entries = received('b@h').flatMap((op) => (op as [string, string, number, unknown[]])[3]);
    expect(entries.length).toBe(MAX_OPS_PER_FRAME * 2 + 3);
    expect(entries.map((e) => (e as unknown[])[0])).toEqual(Array.from({ length: entries.length }, (_, i) => `n${i}`));
  });

  it('sends a broadcast op by op when it cannot be encoded', () => {
    const { outbox, frames, encodes } = capture({ failEncode: true });
    outbox.pushAll(['b@h', 'c@h'], 'global', ['view', 'h1']);
    outbox.flush();
    expect(encodes()).toBe(1);
    expect(outbox.encodeFailures).toBe(1);
    expect(frames.map((f) => f.body)).toEqual([
      ['global', [['view', 'h1']]],
      ['global', [['view', 'h1']]],
    ]);
  });
  it('joins made round-robin over groups travel as one JOIN per group; a LEAVE of a group keeps its place', () => {
    const { outbox, received } = capture();
    const peers = ['b@h', 'c@h'];
    for (let i = 0; i < 12; i++) outbox.pushAll(peers, 'global', ['join', `g${i % 3}`, [own(i)]]);
    outbox.pushAll(peers, 'global', ['leave', 'g1', [own(1)]]);
    outbox.pushAll(peers, 'global', ['join', 'g1', [own(1)]]);
    outbox.pushAll(peers, 'global', ['join', 'g2', [own(20)]]);
    outbox.pushAll(peers, 'global', ['view', 'h2']);
    outbox.pushAll(peers, 'global', ['join', 'g0', [own(30)]]);
    outbox.flush();
    const pidsOf = (...ids: number[]) => ids.map(own);
    expect(received('b@h')).toEqual([
      ['join', 'g0', pidsOf(0, 3, 6, 9)],
      ['join', 'g1', pidsOf(1, 4, 7, 10)],
      ['join', 'g2', pidsOf(2, 5, 8, 11, 20)],
      ['leave', 'g1', pidsOf(1)],
      // After a LEAVE of g1, a JOIN of g1 may not move before it.
      ['join', 'g1', pidsOf(1)],
      ['view', 'h2'],
      // Nor past another kind of op.
      ['join', 'g0', pidsOf(30)],
    ]);
    expect(received('c@h')).toEqual(received('b@h'));
  });

  it('weighs a frame of joins by its pids, not by its calls', () => {
    const { outbox, frames } = capture();
    for (let i = 0; i < 4 * MAX_OPS_PER_FRAME; i++) outbox.push('b@h', 'global', ['join', `g${i % 100}`, [own(i)]]);
    outbox.flush();
    // 2048 joins of 100 groups: 100 ops + 2048 / 16 pid weight, one frame (it was four).
    expect(frames).toHaveLength(1);
    expect(frames[0]!.body[1]).toHaveLength(100);
  });
  it('sends at once when a long run of ops is pending, in order, instead of at the end of the turn', () => {
    const { outbox, frames, received } = capture();
    const peers = ['b@h', 'c@h'];
    for (let i = 0; i < EARLY_FLUSH_WEIGHT; i++) outbox.pushAll(peers, 'global', setOf(`n${i}`, own(i)));
    // Not flushed by hand: the outbox sent when the pending weight reached EARLY_FLUSH_WEIGHT.
    expect(frames.length).toBeGreaterThan(0);
    outbox.push('b@h', 'global', ['view', 'h9']);
    outbox.flush();
    const sets = received('b@h').flatMap((op) => ((op as unknown[])[0] === 'sets' ? ((op as unknown[])[3] as unknown[][]).map((x) => x[0]) : [op]));
    expect(sets).toEqual([...Array.from({ length: EARLY_FLUSH_WEIGHT }, (_, i) => `n${i}`), ['view', 'h9']]);
  });
});
