import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import { NoProcError } from '../errors/process-errors.js';
import { RemoteError } from '../errors/sdnode-error.js';
import { NotSendableError } from '../errors/wire-errors.js';
import { checkSendable } from './sendability.js';
import { termArb } from './arbitraries.test-util.js';

function refusal(value: unknown, root = 'msg'): { path: string; reason: string } | undefined {
  const error = checkSendable(value, root);
  if (error === undefined) return undefined;
  expect(error).toBeInstanceOf(NotSendableError);
  return { path: error.path, reason: error.reason };
}

class Point {
  constructor(readonly x: number) {}
}

describe('checkSendable', () => {
  it('accepts every term the term arbitrary generates', () => {
    fc.assert(
      fc.property(termArb, (term) => {
        expect(checkSendable(term)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('accepts the supported classes: Pid, Ref, Date, Uint8Array, Buffer, Map, Set, typed and plain errors', () => {
    const value = [
      new Pid('a@h', 1, 1),
      new Ref('a@h', 1, 1),
      new Date(),
      new Uint8Array(3),
      Buffer.from('x'),
      new Map([[1, 2]]),
      new Set([1]),
      new NoProcError('x'),
      new TypeError('t'),
      Object.create(null) as object,
    ];
    expect(refusal(value)).toBeUndefined();
  });

  it('refuses a function with the path of the property that holds it', () => {
    expect(refusal({ items: [0, 1, 2, { fn: () => 1 }] })).toEqual({ path: 'msg.items[3].fn', reason: 'a function' });
  });

  it('refuses a symbol, a class instance and other typed arrays, naming the class', () => {
    expect(refusal({ s: Symbol('x') })).toEqual({ path: 'msg.s', reason: 'a symbol' });
    expect(refusal([new Point(1)])).toEqual({ path: 'msg[0]', reason: 'an instance of Point' });
    expect(refusal({ f: new Float64Array(2) })?.reason).toBe('an instance of Float64Array');
    expect(refusal({ p: Promise.resolve(1) })?.reason).toBe('an instance of Promise');
    expect(refusal({ r: /x/ })?.reason).toBe('an instance of RegExp');
    expect(refusal({ w: new WeakMap() })?.reason).toBe('an instance of WeakMap');
  });

  it('names keys that are not identifiers with brackets, Map values by key and Set members by position', () => {
    expect(refusal({ 'a b': () => 1 })?.path).toBe('msg["a b"]');
    expect(refusal(new Map<unknown, unknown>([['k', { f: () => 1 }]]))?.path).toBe('msg.get("k").f');
    expect(refusal(new Map<unknown, unknown>([[() => 1, 1]]))?.path).toBe('msg.keys()[0]');
    expect(refusal(new Set([1, Symbol('s')]))?.path).toBe('msg.values()[1]');
  });

  it('refuses the details of a typed error when they hold an unsendable value', () => {
    expect(refusal({ e: new RemoteError('EX', 'm', { cb: () => 1 }) })).toEqual({ path: 'msg.e.details.cb', reason: 'a function' });
  });

  it('refuses a cycle and reports the path where the value contains itself', () => {
    const a: Record<string, unknown> = { list: [] };
    (a['list'] as unknown[]).push({ back: a });
    expect(refusal(a)).toEqual({ path: 'msg.list[0].back', reason: 'a cycle (the value contains itself)' });
    const m = new Map<string, unknown>();
    m.set('self', m);
    expect(refusal({ m })?.path).toBe('msg.m.get("self")');
  });

  it('accepts a shared (acyclic) sub-object referenced twice', () => {
    const shared = { x: 1 };
    expect(refusal({ a: shared, b: [shared, shared] })).toBeUndefined();
  });

  it('refuses nesting deeper than the limit without mistaking it for a cycle', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 300; i++) deep = [deep];
    expect(refusal(deep)?.reason).toBe('nesting deeper than 256');
    expect(checkSendable(deep, 'msg', 400)).toBeUndefined();
  });

  it('refuses an own __proto__ key, which a decoder would rename', () => {
    const value = JSON.parse('{"__proto__": 1}') as unknown;
    expect(refusal(value)?.reason).toBe('an own key "__proto__"');
  });

  it('refuses bigints too large for the wire and pids with malformed fields', () => {
    expect(refusal(1n << 9000n)?.reason).toContain('bigint larger than');
    expect(refusal({ p: new Pid('no-at-sign', 1, 1) })).toEqual({ path: 'msg.p', reason: 'a Pid with malformed fields' });
    expect(refusal(new Ref('a@h', -1, 1))?.reason).toBe('a Ref with malformed fields');
  });

  it('uses the given root in the path', () => {
    expect(refusal([() => 1], 'args')?.path).toBe('args[0]');
  });
});
