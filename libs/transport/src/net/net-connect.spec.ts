import { describe, expect, it } from 'vitest';
import { Pull, curveKeyPair } from 'zeromq';
import { HandshakeError, InvalidArgumentError } from '@sdnode/wire';
import { EventRecorder } from '../testing/event-recorder.js';
import { TCP_SUITE_COOKIE, tcpConnectionSuite } from '../testing/tcp-connections.test-util.js';
import { ZmqTransport } from '../zmq/zmq-transport.js';
import { NetTransport } from './net-transport.js';

describe('NetTransport connections', () => {
  const ctx = tcpConnectionSuite((options) => new NetTransport(options));

  describe('the net carrier (no CURVE, ZMTP socket types)', () => {
    it('refuses a curve option rather than ignoring it, and endpoints other than tcp', async () => {
      await expect(ctx.track(new NetTransport({ name: 'w@host', cookie: TCP_SUITE_COOKIE, listen: 'ipc:///tmp/x' })).listen()).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(() => new NetTransport({ name: 'c@host', cookie: TCP_SUITE_COOKIE, ...({ curve: curveKeyPair() } as object) })).toThrow(InvalidArgumentError);
    });

    it('fails at once with a HandshakeError when a ZMTP socket of another type answers', async () => {
      const a = await ctx.node('a@host');
      const pull = new Pull({ linger: 0 });
      ctx.after(() => pull.close());
      await pull.bind('tcp://127.0.0.1:0');
      const t0 = Date.now();
      await expect(a.connect('pull@host', { address: pull.lastEndpoint!, timeout: 5_000 })).rejects.toBeInstanceOf(HandshakeError);
      expect(Date.now() - t0).toBeLessThan(2_000);
    });

    it('never comes up with a CurveZMQ node (no clear text to an encrypted cluster)', async () => {
      const secure = ctx.track(new ZmqTransport({ name: 'secure@host', cookie: TCP_SUITE_COOKIE, resolver: ctx.resolver, curve: curveKeyPair() }));
      ctx.resolver.learn(secure.name, await secure.listen());
      const plain = await ctx.node('plain@host');
      const rs = new EventRecorder(secure);
      await expect(plain.connect(secure.name, { timeout: 1_000 })).rejects.toThrow();
      await expect(secure.connect(plain.name, { timeout: 1_000 })).rejects.toBeInstanceOf(HandshakeError);
      expect(rs.of('nodeup')).toEqual([]);
      expect(plain.peers()).toEqual([]);
    });
  });
});
