import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttemptFailures, type AttemptFailuresHost } from './attempt-failures.js';
import type { Connection } from './connection.js';

// The handshake deadline's rules (docs/protocols/handshake.md, "Each attempt has a handshake
// timeout"), on a connection stand-in with fake timers: the failure is taken after the poll phase
// (an immediate), each answered step starts a new deadline, also one answered after the timer
// fired and before the failure was taken, and an attempt with a caller's timeout keeps one.

type Conn = Pick<Connection, 'handshakeTimer' | 'handshakeTimeoutMs' | 'handshakePerStep' | 'peerName' | 'stream' | 'isPending'>;

function pendingConn(perStep: boolean): Conn {
  return { handshakeTimer: undefined, handshakeTimeoutMs: 0, handshakePerStep: perStep, peerName: 'b@h', stream: undefined, isPending: true };
}

describe('the handshake deadline', () => {
  let attempts: AttemptFailures;
  let failed: string[];
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
    attempts = new AttemptFailures({} as AttemptFailuresHost);
    failed = [];
    vi.spyOn(attempts, 'failAttempt').mockImplementation((conn, error) => {
      failed.push(`${conn.peerName}: ${error.message}`);
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails a silent attempt once the turn that fired the timer has read its sockets', () => {
    const conn = pendingConn(true);
    attempts.startHandshakeTimer(conn as Connection, 100);
    vi.advanceTimersToNextTimer(); // the timer fires; the failure waits for the check phase
    expect(failed).toEqual([]);
    vi.advanceTimersToNextTimer(); // the immediate
    expect(failed).toEqual(['b@h: handshake with b@h timed out after 100 ms']);
  });

  it('starts a new deadline at an answered step, also one answered after the timer fired', () => {
    const conn = pendingConn(true);
    attempts.startHandshakeTimer(conn as Connection, 100);
    vi.advanceTimersByTime(60);
    attempts.restartHandshakeTimer(conn as Connection); // CHALLENGE at 60 ms: the deadline is now 160
    vi.advanceTimersByTime(90);
    expect(failed).toEqual([]);
    vi.advanceTimersToNextTimer(); // 160: the timer fires
    // the CHALLENGE of a later step read in the same turn (poll phase), before the check phase
    attempts.restartHandshakeTimer(conn as Connection);
    vi.advanceTimersToNextTimer(); // the check: a new deadline runs, nothing fails
    expect(failed).toEqual([]);
    vi.advanceTimersByTime(99);
    expect(failed).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.advanceTimersToNextTimer();
    expect(failed).toHaveLength(1); // and that deadline still holds
  });

  it('keeps one deadline for an attempt started with the caller’s own timeout', () => {
    const conn = pendingConn(false);
    attempts.startHandshakeTimer(conn as Connection, 100);
    vi.advanceTimersByTime(60);
    attempts.restartHandshakeTimer(conn as Connection);
    vi.advanceTimersByTime(40);
    vi.advanceTimersToNextTimer();
    expect(failed).toEqual(['b@h: handshake with b@h timed out after 100 ms']);
  });
});
