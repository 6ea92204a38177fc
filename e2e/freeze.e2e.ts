// A frozen node (docker pause: no process runs, but its sockets stay open, so
// no connection is closed) can only be noticed by the net tick failure
// detector: the other node must report `nodedown` and a `noconnection` DOWN
// within a few tick times. Thawed, the frozen node's seed brings the two back
// together over a new connection.
import { describe, expect, it } from 'vitest';
import { e2eContext, suiteTitle, useContainerCluster } from './support/index.js';

const ctx = e2eContext();
const TICK_MS = 2_000;
const NODE_ARGS = ['--watch', '--tick', `${TICK_MS}ms`];
// Erlang declares a peer down after net_ticktime plus up to a quarter of it; allow slack for a loaded machine.
const DETECTION_DEADLINE_MS = 6 * TICK_MS;

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'a frozen node'), () => {
  const cluster = useContainerCluster();

  it('is declared down by the tick failure detector, and reconnects when thawed', async () => {
    const a = await cluster().startNode({ name: 'a@alpha', args: NODE_ARGS });
    const b = await cluster().startNode({ name: 'b@beta', seeds: ['a@alpha'], args: NODE_ARGS });
    await a.waitForEvent('nodeup', { node: 'b@beta' });
    await a.waitForEvent('echo', { node: 'b@beta' }); // a monitors an echo process on b

    await b.freeze();
    await a.waitForEvent('nodedown', { node: 'b@beta' }, DETECTION_DEADLINE_MS);
    const down = await a.waitForEvent('down', { node: 'b@beta' });
    expect(down['reason']).toBe('noconnection');

    // Only events after the freeze count: start waiting before the thaw.
    const upAgain = a.waitForNewEvent('nodeup', { node: 'b@beta' });
    const echoAgain = a.waitForNewEvent('echo', { node: 'b@beta' });
    await b.thaw();
    const [, echo] = await Promise.all([upAgain, echoAgain]);
    expect(echo['reply']).toBe('hello from a@alpha');
  });
});
