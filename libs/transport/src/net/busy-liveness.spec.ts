import { afterEach, describe, expect, it } from 'vitest';
import type { ControlFrame } from '@sdnode/wire';
import { EventRecorder } from '../testing/event-recorder.js';
import { waitUntil } from '../testing/wait-until.js';
import { StaticResolver } from '../static-resolver.js';
import { ChildProcessNode } from '../zmq/fixtures/child-process-node.test-util.js';
import { NetTransport } from './net-transport.js';

// A busy node is not a dead node (issue 10, section 4, busy.falsedown): a peer process blocks its
// event loop with synchronous work for 2 x netTickTime. With the liveness side-channel
// (maxUnresponsive) on both nodes, its liveness thread vouches for it and it is not declared down;
// past maxUnresponsive it is; without the side-channel it is (what the option is for).

const COOKIE = 'busy-cookie';
const CHILD = 'child@host';
const LOCAL = 'local@host';
const TICK = 1_000;
/** Per test: child node processes start slowly on a loaded machine (the unit default is 20 s). */
const TEST_TIMEOUT = 60_000;

describe('a peer process whose event loop is blocked', () => {
  let child: ChildProcessNode | undefined;
  let local: NetTransport | undefined;

  afterEach(async () => {
    await child?.kill();
    await local?.close();
    child = undefined;
    local = undefined;
  });

  async function states(recorder: EventRecorder): Promise<string> {
    const events = recorder.events
      .filter((e) => e.type !== 'frame')
      .map((e) => (e.type === 'connectfailed' ? `connectfailed ${e.name}` : `${e.type} ${e.peer.name} epoch ${e.peer.epoch}${e.type === 'nodedown' ? ` ${e.reason.kind}` : ''}`));
    return [
      `${LOCAL}: peers ${JSON.stringify(local?.peers().map((p) => [p.name, p.epoch]))} lastVouched ${String(local?.lastVouched(CHILD))} now ${Date.now()}`,
      `  events: ${events.join('; ') || 'none'}`,
      `${CHILD}: ${(await child?.describe()) ?? 'not started'}`,
    ].join('\n');
  }

  async function check(recorder: EventRecorder, what: string, condition: () => boolean, timeout: number): Promise<void> {
    try {
      await waitUntil(condition, { timeout, what });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await states(recorder)}`);
    }
  }

  async function setUp(busyMs: number, maxUnresponsive: number | undefined) {
    const liveness = maxUnresponsive === undefined ? {} : { maxUnresponsive };
    child = await ChildProcessNode.start({ name: CHILD, cookie: COOKIE, carrier: 'net', netTickTime: TICK, busyMs, ...liveness });
    local = new NetTransport({ name: LOCAL, cookie: COOKIE, netTickTime: TICK, resolver: new StaticResolver({ [CHILD]: child.address }), ...liveness });
    const recorder = new EventRecorder(local);
    await local.listen();
    await local.connect(CHILD);
    if (maxUnresponsive !== undefined) {
      const since = Date.now();
      await check(recorder, 'the child to vouch for itself', () => (local!.lastVouched(CHILD) ?? 0) > since, 3 * TICK);
    }
    return recorder;
  }

  const echoed = (recorder: EventRecorder, body: string) => (): boolean =>
    recorder.frames().some((f) => f.kind === 'control' && (f as ControlFrame).channel === 'echo' && (f as ControlFrame).body === body);

  it('is kept up while busy for 2 x netTickTime when it runs a liveness side-channel', async () => {
    const recorder = await setUp(2 * TICK, 5 * TICK);
    child!.signal('SIGUSR1');
    await check(recorder, 'the child to start its busy work', () => child!.lines.includes('BUSY start'), 2 * TICK);
    local!.send(CHILD, { kind: 'control', channel: 'probe', body: 'while-busy' });
    await check(recorder, 'the child to finish its busy work', () => child!.lines.includes('BUSY done'), 4 * TICK);
    await check(recorder, 'the echo of the frame sent while the child was busy', echoed(recorder, 'while-busy'), 2 * TICK);
    if (recorder.of('nodedown').length > 0 || child!.lines.some((l) => l.startsWith('NODEDOWN'))) {
      throw new Error(`a busy node was declared down\n${await states(recorder)}`);
    }
    expect(local!.peers().map((p) => p.name)).toEqual([CHILD]);
  }, TEST_TIMEOUT);

  it('is declared down once busy past maxUnresponsive', async () => {
    const recorder = await setUp(4 * TICK, TICK);
    child!.signal('SIGUSR1');
    await check(recorder, 'the child to start its busy work', () => child!.lines.includes('BUSY start'), 2 * TICK);
    const started = Date.now();
    const down = await recorder.waitFor('nodedown', undefined, { timeout: 4 * TICK }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await states(recorder)}`);
    });
    expect(down.reason).toEqual({ kind: 'tick_timeout' });
    // maxUnresponsive, then netTickTime of silence (plus a tick interval each for the checks).
    expect(Date.now() - started).toBeGreaterThanOrEqual(TICK);
  }, TEST_TIMEOUT);

  it('is declared down while busy for 2 x netTickTime without a liveness side-channel', async () => {
    const recorder = await setUp(2 * TICK, undefined);
    child!.signal('SIGUSR1');
    const down = await recorder.waitFor('nodedown', undefined, { timeout: 3 * TICK }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await states(recorder)}`);
    });
    expect(down.reason).toEqual({ kind: 'tick_timeout' });
    // Once it runs again it is reachable at once (it does not blame this side: its check was late).
    await check(recorder, 'the child to finish its busy work', () => child!.lines.includes('BUSY done'), 3 * TICK);
    await local!.connect(CHILD, { timeout: 3_000 });
    local!.send(CHILD, { kind: 'control', channel: 'probe', body: 'after-busy' });
    await check(recorder, 'the echo after the busy work', echoed(recorder, 'after-busy'), 2 * TICK);
    expect(child!.lines.filter((l) => l.startsWith(`NODEDOWN ${LOCAL} tick_timeout`))).toEqual([]);
  }, TEST_TIMEOUT);
});
