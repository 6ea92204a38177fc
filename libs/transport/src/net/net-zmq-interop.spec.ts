import { describe, expect, it, afterEach } from 'vitest';
import type { ControlFrame } from '@sdnode/wire';
import { seqFrame, transportCompliance, type ComplianceCluster } from '../testing/compliance.js';
import { EventRecorder } from '../testing/event-recorder.js';
import { StaticResolver } from '../static-resolver.js';
import type { Transport } from '../transport.js';
import { ZmqTransport } from '../zmq/zmq-transport.js';
import { NetTransport } from './net-transport.js';

/**
 * A NetTransport and a ZmqTransport are peers: the same engine over the same ZMTP, one spoken by
 * this process on node:net, the other by libzmq. The compliance suite runs on clusters where the
 * nodes alternate between the two carriers (first net, or first zmq), so every exchange of the
 * suite happens with libzmq on one side: zeromq.js Dealers dialing the net carrier's listener,
 * and the net carrier's dials reaching zeromq.js Routers.
 */
function mixedCluster(firstNet: boolean): () => ComplianceCluster {
  return () => {
    const resolver = new StaticResolver();
    const started: Transport[] = [];
    return {
      async start(options) {
        const net = (started.length % 2 === 0) === firstNet;
        const base = { cookie: 'unset', ...options, resolver, listen: 'tcp://127.0.0.1:0' };
        const t = net ? new NetTransport(base) : new ZmqTransport(base);
        started.push(t);
        resolver.learn(options.name, await t.listen());
        return t;
      },
      async dispose() {
        await Promise.all(started.map((t) => t.close()));
      },
    };
  };
}

transportCompliance('NetTransport with ZmqTransport peers (net first)', mixedCluster(true));
transportCompliance('NetTransport with ZmqTransport peers (zmq first)', mixedCluster(false));

describe('NetTransport and ZmqTransport together', () => {
  const started: Transport[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.close()));
  });

  it('exchange large frames (long ZMTP frames, split reads) in order both ways', async () => {
    const resolver = new StaticResolver();
    const net = new NetTransport({ name: 'net@host', cookie: 'c', resolver });
    const zmq = new ZmqTransport({ name: 'zmq@host', cookie: 'c', resolver });
    started.push(net, zmq);
    resolver.learn(net.name, await net.listen());
    resolver.learn(zmq.name, await zmq.listen());
    const atNet = new EventRecorder(net);
    const atZmq = new EventRecorder(zmq);
    await net.connect(zmq.name);
    const body = (i: number): string => String.fromCharCode(97 + (i % 26)).repeat(997 * (i + 1));
    for (let i = 0; i < 100; i++) {
      net.send(zmq.name, { kind: 'control', channel: 'big', body: body(i) });
      zmq.send(net.name, { kind: 'control', channel: 'big', body: body(i) });
    }
    await atZmq.waitForFrames(100, { timeout: 15_000 });
    await atNet.waitForFrames(100, { timeout: 15_000 });
    for (const recorder of [atNet, atZmq]) {
      expect(recorder.frames().map((f) => (f as ControlFrame).body)).toEqual(Array.from({ length: 100 }, (_, i) => body(i)));
    }
    expect(net.stats().badFrames + zmq.stats().badFrames).toBe(0);
    net.send(zmq.name, seqFrame(1, 'last'));
    await atZmq.waitFor('frame', (e) => (e.frame as ControlFrame).channel === 'last');
  });
});
