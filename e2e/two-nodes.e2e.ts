// Two sdnode nodes, each in its own container on a user-defined network,
// started with the CLI (`sdnode start --json --watch`): they connect, exchange
// messages (each spawns an echo process on the other, monitors it and gets a
// reply), and when one container is killed the other reports `nodedown` and a
// `noconnection` DOWN for the monitored process.
import { describe, expect, it } from 'vitest';
import { e2eContext, suiteTitle, useContainerCluster } from './support/index.js';

const ctx = e2eContext();
// A short net tick time bounds how long a silent peer goes unnoticed.
const NODE_ARGS = ['--watch', '--tick', '4s'];

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'two nodes in containers'), () => {
  const cluster = useContainerCluster();

  it('connect, exchange messages, and report nodedown and a noconnection DOWN when one is killed', async () => {
    const a = await cluster().startNode({ name: 'a@alpha', args: NODE_ARGS });
    const b = await cluster().startNode({ name: 'b@beta', seeds: ['a@alpha'], args: NODE_ARGS });

    await a.waitForEvent('nodeup', { node: 'b@beta' });
    await b.waitForEvent('nodeup', { node: 'a@alpha' });

    // Messages both ways: a's process talked to an echo process on b, and b's to one on a.
    const echoAtA = await a.waitForEvent('echo', { node: 'b@beta' });
    expect(echoAtA['reply']).toBe('hello from a@alpha');
    const echoAtB = await b.waitForEvent('echo', { node: 'a@alpha' });
    expect(echoAtB['reply']).toBe('hello from b@beta');

    await b.kill();

    await a.waitForEvent('nodedown', { node: 'b@beta' });
    const down = await a.waitForEvent('down', { node: 'b@beta' });
    expect(down['reason']).toBe('noconnection');
    expect(a.log.hasEnded).toBe(false);
  });
});
