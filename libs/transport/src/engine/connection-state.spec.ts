import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canTransition, initialState, isDistKind, isValidInbound, type ConnectionState } from './connection-state.js';

const STATES: ConnectionState[] = ['connecting', 'handshaking_initiator', 'handshaking_acceptor', 'up', 'down'];

describe('connection state machine', () => {
  it('reaches up only through a completed handshake and never leaves down (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('initiator' as const, 'acceptor' as const), fc.array(fc.constantFrom(...STATES), { maxLength: 20 }), (role, attempts) => {
        let state = initialState(role);
        const path: ConnectionState[] = [state];
        for (const next of attempts) {
          if (canTransition(state, next)) {
            state = next;
            path.push(state);
          }
        }
        const up = path.indexOf('up');
        if (up >= 0) expect(path[up - 1]).toBe(role === 'initiator' ? 'handshaking_initiator' : 'handshaking_acceptor');
        const down = path.indexOf('down');
        if (down >= 0) expect(path.slice(down)).toEqual(['down']);
        expect(path.includes('handshaking_initiator') && path.includes('handshaking_acceptor')).toBe(false);
      }),
    );
  });

  it('accepts distribution frames only when up, and nothing when down', () => {
    for (const state of STATES) expect(isValidInbound(state, 'send')).toBe(state === 'up');
    for (const kind of ['hello', 'challenge', 'challenge_reply', 'challenge_ack', 'refuse', 'tick', 'send']) {
      expect(isValidInbound('down', kind)).toBe(false);
    }
    expect(isValidInbound('connecting', 'challenge')).toBe(true);
    expect(isValidInbound('handshaking_acceptor', 'challenge_reply')).toBe(true);
    expect(isValidInbound('handshaking_initiator', 'challenge_ack')).toBe(true);
    expect(isValidInbound('up', 'hello')).toBe(false);
    expect(isValidInbound('up', 'challenge_ack')).toBe(false);
  });

  it('knows every distribution frame kind and nothing else', () => {
    expect(isDistKind('monitor_down')).toBe(true);
    expect(isDistKind('tick')).toBe(false);
    expect(isDistKind('made_up')).toBe(false);
    expect(isDistKind(undefined)).toBe(false);
  });
});
