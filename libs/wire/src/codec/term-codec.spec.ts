import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import { SdnodeError, RemoteError } from '../errors/sdnode-error.js';
import { NoProcError, TimeoutError } from '../errors/process-errors.js';
import { BadFrameError, NotSendableError } from '../errors/wire-errors.js';
import type { Term } from '../term.js';
import { TermCodec } from './term-codec.js';
import { pidArb, plainErrorArb, refArb, scalarArb, sdnodeErrorArb, termArb, termDifference } from './arbitraries.test-util.js';

function roundTrip(codec: TermCodec, value: Term): Term {
  const decoded = codec.decode(codec.encode(value));
  if (!decoded.ok) throw decoded.error;
  return decoded.value;
}

describe('TermCodec', () => {
  const codec = new TermCodec();

  it('round-trips every scalar kind exactly (numbers, bigints, strings, binaries, dates, pids, refs, errors)', () => {
    fc.assert(
      fc.property(scalarArb, (value) => {
        expect(termDifference(value, roundTrip(codec, value))).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips nested arrays, objects, Maps and Sets of any terms exactly', () => {
    fc.assert(
      fc.property(termArb, (value) => {
        expect(termDifference(value, roundTrip(codec, value))).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps Maps with non-string keys as Maps and plain objects as plain objects', () => {
    const pid = new Pid('a@h', 1, 2);
    const value = {
      m: new Map<Term, Term>([
        [1, 'one'],
        [pid, 'a pid'],
        [[1, 2], 'an array'],
        [{ k: 1 }, 'an object'],
        [null, 'null'],
        [2n, 'bigint'],
      ]),
      o: { '1': 'string key', nested: { deep: [new Set([1, 'x'])] } },
    };
    const back = roundTrip(codec, value) as typeof value;
    expect(back.m).toBeInstanceOf(Map);
    expect([...back.m.keys()][1]).toBeInstanceOf(Pid);
    expect((([...back.m.keys()][1]) as Pid).equals(pid)).toBe(true);
    expect(Object.getPrototypeOf(back.o)).toBe(Object.prototype);
    expect(back.o.nested.deep[0]).toBeInstanceOf(Set);
    expect(termDifference(value, back)).toBeUndefined();
  });

  it('rebuilds pids and refs as Pid and Ref instances that equal the originals', () => {
    fc.assert(
      fc.property(pidArb, refArb, (pid, ref) => {
        const [p, r] = roundTrip(codec, [pid, ref]) as [Pid, Ref];
        expect(p).toBeInstanceOf(Pid);
        expect(r).toBeInstanceOf(Ref);
        expect(p.equals(pid) && p.key === pid.key).toBe(true);
        expect(r.equals(ref) && r.key === ref.key).toBe(true);
      }),
    );
  });

  it('rebuilds typed errors as their own class with code, message and details', () => {
    fc.assert(
      fc.property(sdnodeErrorArb, (error) => {
        const back = roundTrip(codec, error) as SdnodeError;
        expect(back).toBeInstanceOf(error.constructor);
        expect(back).toBeInstanceOf(SdnodeError);
        expect(back.code).toBe(error.code);
        expect(back.message).toBe(error.message);
        expect(back.details).toEqual(error.details);
      }),
    );
    const back = roundTrip(codec, new TimeoutError('call', 50, { target: '<a@h.1.1>' })) as TimeoutError;
    expect(back).toBeInstanceOf(TimeoutError);
    expect(back.operation).toBe('call');
    expect(back.timeoutMs).toBe(50);
    expect(back.details).toEqual({ operation: 'call', timeoutMs: 50, target: '<a@h.1.1>' });
  });

  it('rebuilds an error with an unknown code as a RemoteError that keeps the code', () => {
    const back = roundTrip(codec, new RemoteError('EFROMTHEFUTURE', 'new kind', { x: 1 })) as RemoteError;
    expect(back).toBeInstanceOf(RemoteError);
    expect(back.code).toBe('EFROMTHEFUTURE');
    expect(back.details).toEqual({ x: 1 });
  });

  it('sends a plain Error as its name and message only, rebuilt as an Error', () => {
    fc.assert(
      fc.property(plainErrorArb, (error) => {
        const back = roundTrip(codec, error) as Error;
        expect(back).toBeInstanceOf(Error);
        expect(back).not.toBeInstanceOf(SdnodeError);
        expect(back.name).toBe(error.name);
        expect(back.message).toBe(error.message);
        expect(back.stack).toContain('received from a remote node');
      }),
    );
  });

  it('keeps undefined, null, invalid dates and empty containers', () => {
    const value: Term = { u: undefined, n: null, d: new Date(NaN), a: [], o: {}, m: new Map<Term, Term>(), s: new Set<Term>() };
    expect(termDifference(value, roundTrip(codec, value))).toBeUndefined();
  });

  it('delivers a null-prototype object as a plain object with the same entries', () => {
    const value = Object.assign(Object.create(null) as Record<string, Term>, { a: 1, b: [2] });
    const back = roundTrip(codec, value) as Record<string, Term>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back).toEqual({ a: 1, b: [2] });
  });

  it('documents its lossy cases: -0 arrives as 0, a lone surrogate as U+FFFD, extreme dates within 1 ms', () => {
    expect(Object.is(roundTrip(codec, -0), 0)).toBe(true);
    expect(roundTrip(codec, 'a\ud800b')).toBe('a\ufffd\ufffd\ufffdb');
    const extreme = new Date(4_501_030_130_068_188);
    const back = roundTrip(codec, extreme) as Date;
    expect(Math.abs(back.getTime() - extreme.getTime())).toBeLessThanOrEqual(1);
  });

  it('refuses to encode an unsendable term with the path of the offending value', () => {
    const bad = { items: [1, 2, 3, { fn: () => 1 }] } as unknown as Term;
    expect(() => codec.encode(bad, 'msg')).toThrow(NotSendableError);
    try {
      codec.encode(bad, 'msg');
    } catch (error) {
      expect((error as NotSendableError).path).toBe('msg.items[3].fn');
    }
  });

  it('returns a typed error for garbage, trailing bytes and forbidden tags instead of throwing', () => {
    const one = codec.encode(1);
    const withTrailer = Buffer.concat([one, one]);
    for (const bytes of [Buffer.from([0xff]), withTrailer, Buffer.from([0xd8, 0x1b, 0x82, 0x61, 0x41, 0x61, 0x42]), Buffer.alloc(0)]) {
      const result = codec.decode(bytes);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBeInstanceOf(BadFrameError);
    }
  });

  it('rejects a pid tag whose content is not [node, id, creation]', () => {
    // tag 42448 (0xd9 0xa5 0xd0) around [1, 2]
    const result = codec.decode(Buffer.from([0xd9, 0xa5, 0xd0, 0x82, 0x01, 0x02]));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('tag 42448');
  });

  it('rebuilds a NoProcError received inside a nested term', () => {
    const back = roundTrip(codec, { reply: [{ error: new NoProcError('<a@h.1.1>') }] }) as { reply: [{ error: NoProcError }] };
    expect(back.reply[0].error).toBeInstanceOf(NoProcError);
    expect(back.reply[0].error.target).toBe('<a@h.1.1>');
  });
});
