// The node image on its own (no sdnode code): two containers on a user-defined
// network exchange CBOR messages over raw ZeroMQ, the client reaching the server
// by its network alias. Fails when the image lacks a library, the zeromq or
// cbor-extract addon, or container-name resolution.
import { describe, expect, it } from 'vitest';
import { e2eContext, IMAGE_FIXTURES_DIR, IMAGE_NODE_BINARY, suiteTitle, useContainerCluster } from './support/index.js';

const ctx = e2eContext();
const script = `${IMAGE_FIXTURES_DIR}/zmq-echo.mjs`;

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'node image smoke test'), () => {
  const cluster = useContainerCluster();

  it('runs zeromq and native cbor-x, and resolves container names for tcp://host:port', async () => {
    const server = await cluster().startProcess({
      alias: 'echo-server',
      entrypoint: [IMAGE_NODE_BINARY],
      command: [script, 'server', '5555'],
    });
    const listening = await server.waitForEvent('listening');
    expect(listening['nativeCbor']).toBe(true);

    const client = await cluster().startProcess({
      alias: 'echo-client',
      entrypoint: [IMAGE_NODE_BINARY],
      command: [script, 'client', 'tcp://echo-server:5555', '3'],
    });
    const done = await client.waitForEvent('done');
    expect(done).toMatchObject({ count: 3, nativeCbor: true });
    const resolved = client.events.find((e) => e.event === 'resolved');
    expect(resolved?.['address']).toBe(server.container.getIpAddress(cluster().network.getName()));
    expect(client.events.filter((e) => e.event === 'reply').map((e) => e['echo'])).toEqual(['ping 1', 'ping 2', 'ping 3']);
    await server.waitForEvent('received', { seq: 3 });
  });
});
