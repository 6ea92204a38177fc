import { afterEach, describe, expect, it } from 'vitest';
import type { ControlFrame } from '@sdnode/wire';
import { seqFrame } from '../testing/compliance.js';
import { EventRecorder } from '../testing/event-recorder.js';
import { waitUntil } from '../testing/wait-until.js';
import { StaticResolver } from '../static-resolver.js';
import { ChildProcessNode } from './fixtures/child-process-node.test-util.js';
import { ZmqTransport, type ZmqTransportOptions } from './zmq-transport.js';

const COOKIE = 'process-cookie';
const CHILD = 'child@host';

describe('ZmqTransport with a peer in another process', () => {
  let child: ChildProcessNode | undefined;
  let local: ZmqTransport | undefined;

  afterEach(async () => {
    await child?.kill();
    await local?.close();
    child = undefined;
    local = undefined;
  });

  async function connectToChild(childOptions: Record<string, unknown>, localOptions: Partial<ZmqTransportOptions>) {
    child = await ChildProcessNode.start({ name: CHILD, cookie: COOKIE, ...childOptions });
    local = new ZmqTransport({
      name: 'local@host',
      cookie: COOKIE,
      resolver: new StaticResolver({ [CHILD]: child.address }),
      ...localOptions,
    });
    const recorder = new EventRecorder(local);
    await local.listen();
    const info = await local.connect(CHILD);
    expect(info.creation).toBe(child.creation);
    local.send(CHILD, seqFrame(1));
    await recorder.waitFor('frame', (e) => (e.frame as ControlFrame).channel === 'echo');
    return { local, recorder, child };
  }

  it('detects a killed peer through the socket disconnect event, long before a tick timeout', async () => {
    const { recorder, child } = await connectToChild({ netTickTime: 120_000 }, { netTickTime: 120_000 });
    child.signal('SIGKILL');
    // netTickTime is 120 s: within this 5 s deadline only the Dealer's disconnect event can tell.
    const down = await recorder.waitFor('nodedown', undefined, { timeout: 5_000 });
    expect(down.reason).toEqual({ kind: 'peer_closed' });
    expect(down.peer.name).toBe(CHILD);
  });

  it('detects a frozen peer by tick timeout', async () => {
    const { local, recorder, child } = await connectToChild({ netTickTime: 400 }, { netTickTime: 400 });
    child.signal('SIGSTOP');
    const down = await recorder.waitFor('nodedown', undefined, { timeout: 5_000 });
    expect(down.reason).toEqual({ kind: 'tick_timeout' });
    expect(local.peers()).toEqual([]);
  });

  it('bounds the queue towards a peer that stops reading and drops it with overload', async () => {
    const maxQueueBytes = 1024 * 1024;
    const { local, recorder, child } = await connectToChild(
      { netTickTime: 120_000 },
      { netTickTime: 120_000, maxQueueBytes, sendHighWaterMark: 4, maxBatchBytes: 64 * 1024 },
    );
    child.signal('SIGSTOP');
    const big = 'x'.repeat(32 * 1024);
    let maxQueued = 0;
    let refused = false;
    await waitUntil(
      () => {
        for (let i = 0; i < 64 && !refused; i++) {
          refused = !local.send(CHILD, { kind: 'control', channel: 'bulk', body: big });
          maxQueued = Math.max(maxQueued, local.queuedBytes(CHILD));
        }
        return refused;
      },
      { timeout: 15_000, what: 'the queue towards the stopped peer to overflow' },
    );
    const down = await recorder.waitFor('nodedown');
    expect(down.reason.kind).toBe('overload');
    expect(down.reason.kind === 'overload' && down.reason.queuedBytes).toBeGreaterThan(maxQueueBytes);
    expect(maxQueued).toBeLessThanOrEqual(maxQueueBytes);
    expect(local.queuedBytes(CHILD)).toBe(0);
    expect(local.stats().overloads).toBe(1);
    expect(local.peers()).toEqual([]);
  });
});
