import { afterEach, describe, expect, it } from 'vitest';
import { NetTransport, ZmqTransport, generateCurveKeys } from '@sdnode/transport';
import { InvalidArgumentError } from '@sdnode/wire';
import { Node } from './index.js';
import { waitUntil } from './wait-until.test-util.js';

describe('the default transport of a node', () => {
  const started: Node[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.stop()));
  });

  it('runs on the carrier the node asks for, and nodes on the two carriers talk to each other', async () => {
    const onNet = await Node.start({ name: 'cn@127.0.0.1', cookie: 'carrier-test', carrier: 'net' });
    started.push(onNet);
    const onZmq = await Node.start({ name: 'cz@127.0.0.1', cookie: 'carrier-test', carrier: 'zmq', seeds: { [onNet.name]: onNet.address! } });
    started.push(onZmq);
    const transportOf = (node: Node): unknown => (node as unknown as { transport: unknown }).transport;
    expect(transportOf(onNet)).toBeInstanceOf(NetTransport);
    expect(transportOf(onZmq)).toBeInstanceOf(ZmqTransport);
    await waitUntil(() => onNet.nodes().includes(onZmq.name) && onZmq.nodes().includes(onNet.name), 'the two nodes connected');
    expect(await onZmq.rpc(onNet.name, 'sdnode.ping')).toBe('pong');
    expect(await onNet.rpc(onZmq.name, 'sdnode.ping')).toBe('pong');
  });

  it('passes the liveness bound to the transport, and refuses a bad one', async () => {
    const node = await Node.start({ name: 'cl@127.0.0.1', cookie: 'carrier-test', maxUnresponsive: 30_000 });
    started.push(node);
    const transport = (node as unknown as { transport: { livenessConfig?: { maxUnresponsive: number } } }).transport;
    expect(transport.livenessConfig?.maxUnresponsive).toBe(30_000);
    await expect(Node.start({ name: 'cb@127.0.0.1', cookie: 'carrier-test', maxUnresponsive: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('runs CurveZMQ on zmq when given a keypair: nodes with the same pair talk, with curve on net it refuses to start', async () => {
    const curve = generateCurveKeys();
    const a = await Node.start({ name: 'ka@127.0.0.1', cookie: 'carrier-test', curve });
    started.push(a);
    expect((a as unknown as { transport: unknown }).transport).toBeInstanceOf(ZmqTransport);
    const b = await Node.start({ name: 'kb@127.0.0.1', cookie: 'carrier-test', curve, seeds: { [a.name]: a.address! } });
    started.push(b);
    await waitUntil(() => a.nodes().includes(b.name) && b.nodes().includes(a.name), 'the two CURVE nodes connected');
    expect(await b.rpc(a.name, 'sdnode.ping')).toBe('pong');
    await expect(Node.start({ name: 'kn@127.0.0.1', cookie: 'carrier-test', curve, carrier: 'net' })).rejects.toThrow(/CurveZMQ needs the zmq carrier/);
  });

  it('refuses an unknown carrier', async () => {
    await expect(Node.start({ name: 'cx@127.0.0.1', cookie: 'carrier-test', carrier: 'udp' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
