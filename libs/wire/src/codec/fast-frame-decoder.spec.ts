import { describe, expect, it } from 'vitest';
import { Pid } from '../pid.js';
import { Ref } from '../ref.js';
import type { Frame } from '../frames.js';
import type { Term } from '../term.js';
import { BAIL, FastFrameDecoder } from './fast-frame-decoder.js';
import { FrameCodec } from './frame-codec.js';
import { frameFromArray } from './frame-registry.js';

const me = new Pid('a@127.0.0.1', 5, 1);
const ref = new Ref('a@127.0.0.1', 77, 1);

function encoded(frame: Frame): Uint8Array {
  return new FrameCodec().encode(frame);
}

describe('FastFrameDecoder.decodeFrame', () => {
  it('builds the SEND frame frameFromArray builds from the wire array, with the same key order', () => {
    const frames: Frame[] = [
      { kind: 'send', to: me, msg: { signal: 'reply', ref, value: { echo: 1 } } as unknown as Term },
      { kind: 'send', to: me, msg: [1, -2, 3.5, 'x', null, true] as unknown as Term },
      { kind: 'send', to: me, msg: 'plain' },
    ];
    for (const frame of frames) {
      const bytes = encoded(frame);
      const viaArray = frameFromArray(new FastFrameDecoder([]).decode(bytes, 0, bytes.length));
      const direct = new FastFrameDecoder([]).decodeFrame(bytes, 0, bytes.length);
      expect(direct).toEqual(viaArray);
      expect(Object.keys(direct as object)).toEqual(Object.keys(viaArray));
      expect((direct as { to: unknown }).to).toBeInstanceOf(Pid);
    }
  });

  it('bails where decode bails: other ops, forms it does not read, trailing bytes', () => {
    const decoder = new FastFrameDecoder([]);
    const monitor = encoded({ kind: 'monitor', from: me, to: me, ref });
    expect(decoder.decodeFrame(monitor, 0, monitor.length)).toBe(BAIL);
    const withMap = encoded({ kind: 'send', to: me, msg: new Map([[1, 2]]) as unknown as Term });
    expect(decoder.decodeFrame(withMap, 0, withMap.length)).toBe(BAIL);
    const plain = encoded({ kind: 'send', to: me, msg: 1 });
    expect(decoder.decodeFrame(plain, 0, plain.length - 1)).toBe(BAIL);
    // and reads the next item afterwards as if nothing happened
    expect(decoder.decodeFrame(plain, 0, plain.length)).toEqual({ kind: 'send', to: me, msg: 1 });
  });

  it('keeps no reference to the last item read (its pid and message are let go)', () => {
    const decoder = new FastFrameDecoder([]);
    const bytes = encoded({ kind: 'send', to: me, msg: { big: 'x'.repeat(20) } as unknown as Term });
    decoder.decodeFrame(bytes, 0, bytes.length);
    expect((decoder as unknown as { readTo: unknown; readMsg: unknown }).readTo).toBeUndefined();
    expect((decoder as unknown as { readTo: unknown; readMsg: unknown }).readMsg).toBeUndefined();
  });
});
