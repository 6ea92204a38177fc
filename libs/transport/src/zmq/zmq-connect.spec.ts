import { describe, expect, it } from 'vitest';
import { curveKeyPair } from 'zeromq';
import { HandshakeError } from '@sdnode/wire';
import { seqFrame } from '../testing/compliance.js';
import { EventRecorder } from '../testing/event-recorder.js';
import { tcpConnectionSuite } from '../testing/tcp-connections.test-util.js';
import type { Transport } from '../transport.js';
import type { CurveKeys } from './zmq-carrier.js';
import { ZmqTransport } from './zmq-transport.js';

describe('ZmqTransport connections', () => {
  let curveOf: (name: string) => CurveKeys | undefined = () => undefined;
  const ctx = tcpConnectionSuite((options) => {
    const curve = curveOf(options.name);
    return new ZmqTransport({ ...options, ...(curve === undefined ? {} : { curve }) });
  });
  /** A listening node with the given CURVE keypair. */
  async function curveNode(name: string, curve: CurveKeys | undefined): Promise<Transport> {
    const before = curveOf;
    curveOf = (n) => (n === name ? curve : before(n));
    try {
      return await ctx.node(name);
    } finally {
      curveOf = before;
    }
  }

  describe('the zmq carrier (CurveZMQ)', () => {
    it('connects two curve nodes that share the cluster keypair and exchanges frames', async () => {
      const curve = curveKeyPair();
      const a = await curveNode('a@host', curve);
      const b = await curveNode('b@host', curve);
      const rb = new EventRecorder(b);
      await a.connect(b.name);
      a.send(b.name, seqFrame(1));
      await rb.waitForFrames(1);
      expect(rb.frames()).toEqual([seqFrame(1)]);
    });

    it('does not let a node without curve reach a curve node, nor the other way round', async () => {
      const secure = await curveNode('secure@host', curveKeyPair());
      const plain = await ctx.node('plain@host');
      const rs = new EventRecorder(secure);
      await expect(plain.connect(secure.name, { timeout: 2_000 })).rejects.toBeInstanceOf(HandshakeError);
      await expect(secure.connect(plain.name, { timeout: 2_000 })).rejects.toBeInstanceOf(HandshakeError);
      expect(rs.of('nodeup')).toEqual([]);
      expect(secure.peers()).toEqual([]);
      expect(plain.peers()).toEqual([]);
    });

    it('does not let a curve node with another keypair in', async () => {
      const a = await curveNode('a@host', curveKeyPair());
      const b = await curveNode('b@host', curveKeyPair());
      await expect(a.connect(b.name, { timeout: 2_000 })).rejects.toThrow();
      expect(b.peers()).toEqual([]);
    });
  });
});
