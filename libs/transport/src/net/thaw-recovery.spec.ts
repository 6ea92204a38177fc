import { afterEach, describe, expect, it } from 'vitest';
import type { ControlFrame } from '@sdnode/wire';
import { EventRecorder } from '../testing/event-recorder.js';
import { waitUntil } from '../testing/wait-until.js';
import { StaticResolver } from '../static-resolver.js';
import { ChildProcessNode } from '../zmq/fixtures/child-process-node.test-util.js';
import type { Transport } from '../transport.js';
import { NetTransport } from './net-transport.js';

// Recovery after a freeze (issue 10, section 5): a node frozen (SIGSTOP) for about the tick time
// and thawed must be reachable again as soon as it runs. The thawed node's first tick check runs
// before its sockets are read; it must not declare down the peers that kept ticking at it (that
// false tick_timeout dropped the frames already waiting for it and refused the peer's traffic
// until a retry). The freeze length is the fault itself, not a wait for a condition: the test
// holds the node frozen for that long, then waits only for conditions, with deadlines.

const COOKIE = 'thaw-cookie';
const CHILD = 'child@host';
const LOCAL = 'local@host';
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
    let child: ChildProcessNode | undefined;
    let local: Transport | undefined;

    afterEach(async () => {
      await child?.kill();
      await local?.close();
      child = undefined;
      local = undefined;
    });

    /** Every node's state, for a failing assertion. */
    async function states(recorder: EventRecorder): Promise<string> {
      const events = recorder.events
        .filter((e) => e.type !== 'frame')
        .map((e) => (e.type === 'connectfailed' ? `connectfailed ${e.name} ${e.error.message}` : `${e.type} ${e.peer.name} epoch ${e.peer.epoch}${e.type === 'nodedown' ? ` ${e.reason.kind}` : ''}`));
      return [
        `${LOCAL}: peers ${JSON.stringify(local?.peers().map((p) => [p.name, p.epoch]))} stats ${JSON.stringify(local?.stats())}`,
        `  events: ${events.join('; ') || 'none'}`,
        `${CHILD}: ${(await child?.describe()) ?? 'not started'}`,
      ].join('\n');
    }

    async function check(recorder: EventRecorder, what: string, condition: () => boolean, timeout = 5_000): Promise<void> {
      try {
        await waitUntil(condition, { timeout, what });
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${await states(recorder)}`);
      }
    }

    const echoed = (recorder: EventRecorder, body: string) => (): boolean =>
      recorder.frames().some((f) => f.kind === 'control' && (f as ControlFrame).channel === 'echo' && (f as ControlFrame).body === body);

    for (const freeze of FREEZES) {
      it(`is reachable at once when frozen ${freeze.label}`, async () => {
        child = await ChildProcessNode.start({ name: CHILD, cookie: COOKIE, carrier: childCarrier, netTickTime: TICK });
        local = new NetTransport({ name: LOCAL, cookie: COOKIE, netTickTime: TICK, resolver: new StaticResolver({ [CHILD]: child.address }) });
        const recorder = new EventRecorder(local);
        await local.listen();
        await local.connect(CHILD);
        local.send(CHILD, { kind: 'control', channel: 'probe', body: 'before' });
        await check(recorder, 'the echo before the freeze', echoed(recorder, 'before'));

        child.signal('SIGSTOP');
        const frozenAt = Date.now();
        await waitUntil(() => Date.now() - frozenAt >= freeze.ms, { timeout: freeze.ms + 1_000, what: 'the freeze to last' });
        if (freeze.untilDetected) await check(recorder, 'the peer to see the frozen node down', () => recorder.of('nodedown').length > 0, 3 * TICK);
        const downsBeforeThaw = recorder.of('nodedown').length;
        child.signal('SIGCONT');

        // A frame sent the moment the node runs again: it arrives unless this side itself had to
        // declare the frozen node down meanwhile (then the frame opens a new connection).
        local.send(CHILD, { kind: 'control', channel: 'probe', body: 'at-thaw' });
        const info = await local.connect(CHILD, { timeout: 3_000 }).catch(async (error: Error) => {
          throw new Error(`connect right after the thaw failed: ${error.message}\n${await states(recorder)}`);
        });
        local.send(CHILD, { kind: 'control', channel: 'probe', body: 'after-connect' });
        await check(recorder, 'the echo of a frame sent after connect', echoed(recorder, 'after-connect'));
        const downsAfterThaw = recorder.of('nodedown').length - downsBeforeThaw;
        if (downsAfterThaw === 0) await check(recorder, 'the echo of the frame sent at the thaw', echoed(recorder, 'at-thaw'));

        // The frozen node never blames the peer that kept ticking at it.
        const falseDowns = child.lines.filter((l) => l.startsWith(`NODEDOWN ${LOCAL} tick_timeout`));
        if (falseDowns.length > 0 || recorder.of('connectfailed').length > 0) {
          throw new Error(`a false tick timeout or a failed connection after the thaw\n${await states(recorder)}`);
        }
        // Both ends agree on one connection at the end.
        await check(recorder, 'the child to hold the connection up', () => {
          const last = child!.lines.filter((l) => l.startsWith(`NODEUP ${LOCAL}`) || l.startsWith(`NODEDOWN ${LOCAL}`)).at(-1);
          return last?.startsWith('NODEUP') === true;
        });
        expect(local.peers().map((p) => p.epoch)).toEqual([info.epoch]);
        if (!freeze.untilDetected) expect(recorder.of('nodedown').filter((e) => e.reason.kind !== 'tick_timeout')).toEqual([]);
      }, TEST_TIMEOUT);
    }
  });
}
