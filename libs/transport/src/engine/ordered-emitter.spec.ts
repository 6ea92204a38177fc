import { describe, expect, it } from 'vitest';
import type { PeerInfo } from '../transport.js';
import { OrderedEmitter } from './ordered-emitter.js';

const peer: PeerInfo = { name: 'p@h', creation: 1, hidden: false, address: 'x', epoch: 1 };

function recordingLogger(errors: unknown[]) {
  return { debug() {}, info() {}, warn() {}, error: (obj: object) => errors.push(obj) };
}

describe('OrderedEmitter', () => {
  it('defers events raised inside an API call until the call has returned', async () => {
    const emitter = new OrderedEmitter(recordingLogger([]));
    const seen: string[] = [];
    emitter.on('nodeup', () => seen.push('nodeup'));
    emitter.api(() => {
      emitter.emit('nodeup', peer);
      seen.push('api returned');
    });
    expect(seen).toEqual(['api returned']);
    await Promise.resolve();
    expect(seen).toEqual(['api returned', 'nodeup']);
  });

  it('keeps later direct events behind deferred ones', async () => {
    const emitter = new OrderedEmitter(recordingLogger([]));
    const seen: string[] = [];
    emitter.on('nodedown', () => seen.push('nodedown'));
    emitter.on('nodeup', () => seen.push('nodeup'));
    emitter.api(() => emitter.emit('nodedown', peer, { kind: 'closed' }));
    emitter.emit('nodeup', peer);
    expect(seen).toEqual([]);
    await Promise.resolve();
    expect(seen).toEqual(['nodedown', 'nodeup']);
  });

  it('logs a listener that throws instead of letting the exception escape', () => {
    const errors: unknown[] = [];
    const emitter = new OrderedEmitter(recordingLogger(errors));
    emitter.on('nodeup', () => {
      throw new Error('listener bug');
    });
    expect(() => emitter.emit('nodeup', peer)).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
