import { describe, expect, it } from 'vitest';
import { CHILD_PEER as CHILD, ChildPeerSession, LOCAL_PEER as LOCAL } from '../testing/child-peer.test-util.js';
import { waitUntil } from '../testing/wait-until.js';
import { NetTransport } from './net-transport.js';

// Recovery after a freeze (issue 10, section 5): a node frozen (SIGSTOP) for about the tick time
// and thawed must be reachable again as soon as it runs. The thawed node's first tick check runs
// before its sockets are read; it must not declare down the peers that kept ticking at it (that
// false tick_timeout dropped the frames already waiting for it and refused the peer's traffic
// until a retry). The freeze length is the fault itself, not a wait for a condition: the test
// holds the node frozen for that long, then waits only for conditions, with deadlines.

const COOKIE = 'thaw-cookie';
const TICK = 1_000;
/** Per test: child node processes start slowly on a loaded machine (the unit default is 20 s). */
const TEST_TIMEOUT = 60_000;

type Freeze = { readonly label: string; readonly ms: number; readonly untilDetected: boolean };

const FREEZES: readonly Freeze[] = [
  { label: 'just under the tick time (0.9 T)', ms: 0.9 * TICK, untilDetected: false },
  { label: 'at the tick time (1.0 T)', ms: TICK, untilDetected: false },
  { label: 'over the tick time (until the peer saw it down, at least 1.5 T)', ms: 1.5 * TICK, untilDetected: true },
];

describeThaw('net');
describeThaw('zmq');

function describeThaw(childCarrier: 'net' | 'zmq'): void {
  describe(`a peer process (${childCarrier} carrier) thawed after a freeze`, () => {
    const session = ChildPeerSession.perTest<NetTransport>();

    for (const freeze of FREEZES) {
      it(`is reachable at once when frozen ${freeze.label}`, async () => {
        const s = session();
        const recorder = await s.start({ cookie: COOKIE, carrier: childCarrier, netTickTime: TICK }, (options) => new NetTransport({ ...options, netTickTime: TICK }));
        const { child, local } = s;
        local.send(CHILD, { kind: 'control', channel: 'probe', body: 'before' });
        await s.check('the echo before the freeze', s.echoed('before'));

        child.signal('SIGSTOP');
        const frozenAt = Date.now();
        await waitUntil(() => Date.now() - frozenAt >= freeze.ms, { timeout: freeze.ms + 1_000, what: 'the freeze to last' });
        if (freeze.untilDetected) await s.check('the peer to see the frozen node down', () => recorder.of('nodedown').length > 0, 3 * TICK);
        const downsBeforeThaw = recorder.of('nodedown').length;
        child.signal('SIGCONT');

        // A frame sent the moment the node runs again: it arrives unless this side itself had to
        // declare the frozen node down meanwhile (then the frame opens a new connection).
        local.send(CHILD, { kind: 'control', channel: 'probe', body: 'at-thaw' });
        const info = await local.connect(CHILD, { timeout: 3_000 }).catch(async (error: Error) => {
          throw await s.withStates(new Error(`connect right after the thaw failed: ${error.message}`));
        });
        local.send(CHILD, { kind: 'control', channel: 'probe', body: 'after-connect' });
        await s.check('the echo of a frame sent after connect', s.echoed('after-connect'));
        const downsAfterThaw = recorder.of('nodedown').length - downsBeforeThaw;
        if (downsAfterThaw === 0) await s.check('the echo of the frame sent at the thaw', s.echoed('at-thaw'));

        // The frozen node never blames the peer that kept ticking at it.
        const falseDowns = child.lines.filter((l) => l.startsWith(`NODEDOWN ${LOCAL} tick_timeout`));
        if (falseDowns.length > 0 || recorder.of('connectfailed').length > 0) {
          throw await s.withStates(new Error('a false tick timeout or a failed connection after the thaw'));
        }
        // Both ends agree on one connection at the end.
        await s.check('the child to hold the connection up', () => {
          const last = child.lines.filter((l) => l.startsWith(`NODEUP ${LOCAL}`) || l.startsWith(`NODEDOWN ${LOCAL}`)).at(-1);
          return last?.startsWith('NODEUP') === true;
        });
        expect(local.peers().map((p) => p.epoch)).toEqual([info.epoch]);
        if (!freeze.untilDetected) expect(recorder.of('nodedown').filter((e) => e.reason.kind !== 'tick_timeout')).toEqual([]);
      }, TEST_TIMEOUT);
    }
  });
}
