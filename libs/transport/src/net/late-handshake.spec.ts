import { describe, expect, it } from 'vitest';
import type { Frame } from '@sdnode/wire';
import { CHILD_PEER as CHILD, ChildPeerSession } from '../testing/child-peer.test-util.js';
import type { EventRecorder } from '../testing/event-recorder.js';
import { NetTransport } from './net-transport.js';

// A handshake's deadline counts what arrived before it (first test), an attempt that times
// out says so on its stream, so a peer that answers too late does not stay up alone (second), and
// the deadline is per step of the handshake (third).
//
// First test: Here the initiator's event loop is blocked
// (synchronous work) right after its CHALLENGE_REPLY left, for longer than the handshake timeout;
// the child answers CHALLENGE_ACK meanwhile, so the answer waits in the socket when the loop runs
// again and fires its expired timers first. The attempt must come up, not fail: failing left the
// child up with a peer that had given up, until a later dial replaced the connection (nodedown
// and nodeup on the child; 149 of them while a 128-node cluster formed on 2 CPUs).

const COOKIE = 'late-handshake';
const HANDSHAKE_TIMEOUT = 300;
/**
 * How far past the deadline the fault lasts: long enough for the other side to answer (first test)
 * or for this side's deadline to have passed (second) on a loaded machine.
 */
const MARGIN = 1_500;
const TEST_TIMEOUT = 60_000;

/**
 * Call `fault` with each frame the engine queues, right after it is queued: the engine's
 * connection manager is private, and this is where a test injects its faults.
 */
function afterEnqueue(t: NetTransport, fault: (frame: Frame) => void): NetTransport {
  const manager = (t as unknown as { manager: { enqueue(conn: unknown, frame: Frame): void } }).manager;
  const enqueue = manager.enqueue.bind(manager);
  manager.enqueue = (conn, frame) => {
    enqueue(conn, frame);
    fault(frame);
  };
  return t;
}

/** The attempt came up once, with no failure and no second connection behind it, and works both ways. */
async function expectOneWorkingConnection(s: ChildPeerSession<NetTransport>, recorder: EventRecorder): Promise<void> {
  expect(recorder.of('connectfailed')).toEqual([]);
  s.local.send(CHILD, { kind: 'control', channel: 'probe', body: 'after' });
  await s.check('the echo', s.echoed('after'));
  expect(recorder.of('nodeup')).toHaveLength(1);
  expect(recorder.of('nodedown')).toEqual([]);
}

/** Block this thread for `ms` (the fault: a loop that runs late). */
function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

describe('a handshake answered while the initiator is busy past its deadline', () => {
  const session = ChildPeerSession.perTest<NetTransport>();

  it('comes up when the answer was there before the loop looked at the deadline', async () => {
    const s = session();
    let blocked = 0;
    const recorder = await s
      .start({ cookie: COOKIE, carrier: 'net' }, (options) => {
        // The fault runs once the writer has flushed the CHALLENGE_REPLY (end of the turn).
        return afterEnqueue(new NetTransport({ ...options, handshakeTimeout: HANDSHAKE_TIMEOUT }), (frame) => {
          if (frame.kind === 'challenge_reply' && blocked === 0) {
            blocked++;
            setImmediate(() => blockFor(HANDSHAKE_TIMEOUT + MARGIN));
          }
        });
      })
      .catch(async (error: Error) => {
        throw await s.withStates(error);
      });
    expect(blocked).toBe(1);
    expect(s.local.peers().map((p) => p.name)).toEqual([CHILD]);
    await expectOneWorkingConnection(s, recorder);
  }, TEST_TIMEOUT);

  it('a peer that answers after the deadline goes down at once, not when a later dial replaces it', async () => {
    const s = session();
    let stopped = 0;
    let frozen: Promise<void> | undefined;
    // The child (tick time 60 s: it would not time the zombie out) is frozen right after it sent
    // CHALLENGE, for longer than the local handshake timeout; it reads CHALLENGE_REPLY after the
    // local attempt gave up, goes up, and must read the REFUSE that follows.
    await s
      .start({ cookie: COOKIE, carrier: 'net', netTickTime: 60_000 }, (options) => {
        return afterEnqueue(new NetTransport({ ...options, handshakeTimeout: HANDSHAKE_TIMEOUT }), (frame) => {
          if (frame.kind === 'challenge_reply' && stopped === 0) {
            stopped++;
            s.child.signal('SIGSTOP');
            frozen = new Promise((resolve) => setTimeout(resolve, HANDSHAKE_TIMEOUT + MARGIN)).then(() => s.child.signal('SIGCONT'));
          }
        });
      })
      .then(
        () => undefined,
        (error: Error) => expect(error.message).toMatch(/timed out/),
      );
    await frozen;
    expect(stopped).toBe(1);
    // the child went up when it read CHALLENGE_REPLY, then down at the REFUSE right behind it
    await s.check('the child to take the late connection down', () => s.child.lines.some((l) => l.startsWith('NODEDOWN local@host')));
    // and a new attempt comes up
    await s.local.connect(CHILD, { timeout: 5_000 });
    s.local.send(CHILD, { kind: 'control', channel: 'probe', body: 'after' });
    await s.check('the echo', s.echoed('after'));
  }, TEST_TIMEOUT);

  it('gives each step its own deadline: a peer slow at every step is not given up on', async () => {
    const s = session();
    // The child is frozen for 2 s when HELLO leaves and again when CHALLENGE_REPLY leaves: each
    // step takes 2 s of the 3 s deadline, the whole handshake 4 s. A deadline for the whole
    // handshake gave up after the CHALLENGE (and the child went up alone when it woke); the
    // deadline starts again at the CHALLENGE, as Erlang's dist_util resets its setup timer.
    const STEP_TIMEOUT = 3_000;
    const FREEZE = 2_000;
    let freezes = 0;
    let thawed: Promise<void> | undefined;
    const recorder = await s
      .start({ cookie: COOKIE, carrier: 'net' }, (options) => {
        return afterEnqueue(new NetTransport({ ...options, handshakeTimeout: STEP_TIMEOUT }), (frame) => {
          if ((frame.kind === 'hello' || frame.kind === 'challenge_reply') && freezes < 2) {
            freezes++;
            s.child.signal('SIGSTOP');
            thawed = new Promise((resolve) => setTimeout(resolve, FREEZE)).then(() => s.child.signal('SIGCONT'));
          }
        });
      })
      .catch(async (error: Error) => {
        await thawed;
        throw await s.withStates(error);
      });
    expect(freezes).toBe(2);
    await expectOneWorkingConnection(s, recorder);
  }, TEST_TIMEOUT);
});
