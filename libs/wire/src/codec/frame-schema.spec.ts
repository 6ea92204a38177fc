import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Encoder } from 'cbor-x';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import type { Frame } from '../frames.js';
import { BadFrameError } from '../errors/wire-errors.js';
import { FrameCodec } from './frame-codec.js';
import { FRAME_KINDS, checkFrame, frameFromArray, frameToArray } from './frame-registry.js';
import { frameArbs } from './arbitraries.test-util.js';
import { FieldLimits as L } from './wire-limits.js';

const pid = new Pid('a@127.0.0.1', 1, 1);
const ref = new Ref('a@127.0.0.1', 1, 1);
const long = (n: number) => 'x'.repeat(n);
const bytes = (n: number) => new Uint8Array(n);
const notPid = ['<a@127.0.0.1.1.1>', ref, null, { node: 'a@h', id: 1, creation: 1 }];
const badReason = [
  'normal',
  { kind: 'bogus' },
  { kind: 'normal', extra: 1 },
  { kind: 'other' },
  { kind: 'error', error: { name: 1, message: '' } },
  { kind: 'error', error: { name: 'E', message: 'm', more: 1 } },
];

/** Values that must be rejected, per field (wire form: flags as a mask, nodes as pairs). */
const BAD_VALUES: Record<string, Record<string, readonly unknown[]>> = {
  common: {
    version: [-1, 1.5, L.maxVersion + 1, '1'],
    creation: [-1, 2 ** 32, '1', 1.5],
    flags: [2, 3, -1, 'x', true],
    address: ['', long(L.maxAddressLength + 1), 1],
    challenge: [bytes(L.minChallengeBytes - 1), bytes(L.maxChallengeBytes + 1), 'x'],
    session: [bytes(L.minSessionBytes - 1), bytes(L.maxSessionBytes + 1), [1, 2, 3, 4, 5, 6, 7, 8]],
    digest: [bytes(L.minDigestBytes - 1), bytes(L.maxDigestBytes + 1), 7],
    to: notPid,
    from: notPid,
    ref: [pid, 'ref', null],
    reason: badReason,
    type: ['', long(L.maxNameLength + 1), 1],
    args: ['x', { 0: 1 }, null],
    opts: [{ link: 'yes' }, { monitor: 1 }, { other: 1 }, 'x', { name: '' }, []],
    result: ['x', ref, { code: 'ENOPROC', message: 'm', details: {} }],
    nodes: ['x', [['not a node name', 'tcp://127.0.0.1:1']], [['a@h']], [['a@h', '']]],
    channel: ['', long(L.maxNameLength + 1), 5],
    name: ['', long(L.maxNameLength + 1), 5],
  },
  hello: { name: ['nohost', '', 'a@', 5] },
  challenge: { name: ['nohost', '', 'a@', 5] },
  refuse: { reason: ['nope', 1, null] },
  monitor: { to: [5, '', ref, null] },
  demonitor: { to: [5, '', ref, null] },
  monitor_down: { from: [5, '', ref, null] },
};

function badValuesFor(kind: string, field: string): readonly unknown[] {
  return BAD_VALUES[kind]?.[field] ?? BAD_VALUES['common']![field] ?? [];
}

/** Fields holding arbitrary terms accept anything sendable: they have no bad values. */
const TERM_FIELDS = new Set(['msg', 'body']);

describe('frame schemas', () => {
  const raw = new Encoder({ useRecords: false, mapsAsObjects: true });
  const codec = new FrameCodec();

  for (const { kind, fields } of FRAME_KINDS) {
    it(`rejects a ${kind} frame with any invalid field, through decodeBatch, with a BadFrameError`, () => {
      const valid = fc.sample(frameArbs[kind] as fc.Arbitrary<Frame>, { numRuns: 1, seed: 42 })[0]!;
      const wire = frameToArray(valid);
      let tried = 0;
      fields.forEach((field, i) => {
        if (TERM_FIELDS.has(field)) return;
        const bad = badValuesFor(kind, field);
        expect(bad.length, `bad values for ${kind}.${field}`).toBeGreaterThan(0);
        for (const value of bad) {
          const mutated = [...wire];
          mutated[i + 1] = value;
          const { frames, errors } = codec.decodeBatch(raw.encode(mutated));
          expect(frames, `${kind}.${field} = ${JSON.stringify(value)}`).toEqual([]);
          expect(errors).toHaveLength(1);
          expect(errors[0]).toBeInstanceOf(BadFrameError);
          // a schema error (it names the kind), not a CBOR-level rejection
          expect(errors[0]!.details['kind'], errors[0]!.message).toBe(kind);
          tried++;
        }
      });
      // and the unmutated array is accepted, so the rejections above are about the field
      expect(frameFromArray(raw.decode(raw.encode(wire)))).not.toBeInstanceOf(Error);
      expect(tried > 0 || fields.every((f) => TERM_FIELDS.has(f))).toBe(true);
    });

    it(`rejects a ${kind} frame with a missing or an extra field`, () => {
      const valid = fc.sample(frameArbs[kind] as fc.Arbitrary<Frame>, { numRuns: 1, seed: 7 })[0]!;
      const wire = frameToArray(valid);
      if (fields.length > 0) expect(frameFromArray(wire.slice(0, -1))).toBeInstanceOf(BadFrameError);
      const extra = frameFromArray([...wire, 0]);
      if (kind === 'hello' || kind === 'challenge') expect(extra).not.toBeInstanceOf(Error);
      else expect(extra).toBeInstanceOf(BadFrameError);
    });
  }

  it('checkFrame accepts every generated frame and names the field of an invalid one', () => {
    fc.assert(
      fc.property(fc.oneof(...(Object.values(frameArbs) as fc.Arbitrary<Frame>[])), (frame) => {
        expect(checkFrame(frame)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
    const error = checkFrame({ kind: 'send', to: 'x', msg: 1 });
    expect(error).toBeInstanceOf(BadFrameError);
    expect(error?.message).toContain('to must be a pid');
    expect(error?.details).toMatchObject({ kind: 'send' });
  });

  it('lists every op of frames.ts exactly once', () => {
    const ops = FRAME_KINDS.map((k) => k.op);
    expect(new Set(ops).size).toBe(ops.length);
    expect(FRAME_KINDS).toHaveLength(19);
  });
});
