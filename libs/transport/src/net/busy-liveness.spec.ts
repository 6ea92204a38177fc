import { describe, expect, it } from 'vitest';
import { CHILD_PEER as CHILD, ChildPeerSession, LOCAL_PEER as LOCAL } from '../testing/child-peer.test-util.js';
import { NetTransport } from './net-transport.js';

// A busy node is not a dead node (issue 10, section 4, busy.falsedown): a peer process blocks its
// event loop with synchronous work for 2 x netTickTime. With the liveness side-channel
// (maxUnresponsive) on both nodes, its liveness thread vouches for it and it is not declared down;
// past maxUnresponsive it is; without the side-channel it is (what the option is for).

const COOKIE = 'busy-cookie';
const TICK = 1_000;
/** Per test: child node processes start slowly on a loaded machine (the unit default is 20 s). */
const TEST_TIMEOUT = 60_000;

describe('a peer process whose event loop is blocked', () => {
  const session = ChildPeerSession.perTest<NetTransport>();

  async function setUp(busyMs: number, maxUnresponsive: number | undefined) {
    const liveness = maxUnresponsive === undefined ? {} : { maxUnresponsive };
    const s = session();
    const recorder = await s.start({ cookie: COOKIE, carrier: 'net', netTickTime: TICK, busyMs, ...liveness }, (options) => new NetTransport({ ...options, netTickTime: TICK, ...liveness }));
    if (maxUnresponsive !== undefined) {
      const since = Date.now();
      await s.check('the child to vouch for itself', () => (s.local.lastVouched(CHILD) ?? 0) > since, 3 * TICK);
    }
    return { s, recorder, child: s.child, local: s.local };
  }

  it('is kept up while busy for 2 x netTickTime when it runs a liveness side-channel', async () => {
    const { s, recorder, child, local } = await setUp(2 * TICK, 5 * TICK);
    child.signal('SIGUSR1');
    await s.check('the child to start its busy work', () => child.lines.includes('BUSY start'), 2 * TICK);
    local.send(CHILD, { kind: 'control', channel: 'probe', body: 'while-busy' });
    await s.check('the child to finish its busy work', () => child.lines.includes('BUSY done'), 4 * TICK);
    await s.check('the echo of the frame sent while the child was busy', s.echoed('while-busy'), 2 * TICK);
    if (recorder.of('nodedown').length > 0 || child.lines.some((l) => l.startsWith('NODEDOWN'))) {
      throw await s.withStates(new Error('a busy node was declared down'));
    }
    expect(local.peers().map((p) => p.name)).toEqual([CHILD]);
  }, TEST_TIMEOUT);

  it('is declared down once busy past maxUnresponsive', async () => {
    const { s, recorder, child, local } = await setUp(4 * TICK, TICK);
    child.signal('SIGUSR1');
    await s.check('the child to start its busy work', () => child.lines.includes('BUSY start'), 2 * TICK);
    const started = Date.now();
    const down = await recorder.waitFor('nodedown', undefined, { timeout: 4 * TICK }).catch(async (error: unknown) => {
      throw await s.withStates(error);
    });
    expect(down.reason).toEqual({ kind: 'tick_timeout' });
    // maxUnresponsive, then netTickTime of silence (plus a tick interval each for the checks).
    expect(Date.now() - started).toBeGreaterThanOrEqual(TICK);
  }, TEST_TIMEOUT);

  it('is declared down while busy for 2 x netTickTime without a liveness side-channel', async () => {
    const { s, recorder, child, local } = await setUp(2 * TICK, undefined);
    child.signal('SIGUSR1');
    const down = await recorder.waitFor('nodedown', undefined, { timeout: 3 * TICK }).catch(async (error: unknown) => {
      throw await s.withStates(error);
    });
    expect(down.reason).toEqual({ kind: 'tick_timeout' });
    // Once it runs again it is reachable at once (it does not blame this side: its check was late).
    await s.check('the child to finish its busy work', () => child.lines.includes('BUSY done'), 3 * TICK);
    await local.connect(CHILD, { timeout: 3_000 });
    local.send(CHILD, { kind: 'control', channel: 'probe', body: 'after-busy' });
    await s.check('the echo after the busy work', s.echoed('after-busy'), 2 * TICK);
    expect(child.lines.filter((l) => l.startsWith(`NODEDOWN ${LOCAL} tick_timeout`))).toEqual([]);
  }, TEST_TIMEOUT);
});
