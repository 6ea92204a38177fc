// Five sdnode nodes in containers on a user-defined network, started and driven
// by @sdnode/harness in container mode (the test process is a hidden node that
// listens on the network's gateway address). One cluster for the whole file:
// these tests do not inject faults.
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Dealer } from 'zeromq';
import type { Pid } from '@sdnode/wire';
import { e2eContext, suiteTitle, useHarnessCluster } from './support/index.js';

const ctx = e2eContext();
const FREE = ['n1', 'n2', 'n3', 'n4', 'n5'];
const LOAD_MODULE = fileURLToPath(new URL('./fixtures/load-check.mjs', import.meta.url));

interface StreamReport {
  next: number;
  received: number;
  lost: number;
  reordered: number;
  end: number | null;
}

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'a five-node container cluster'), () => {
  const cluster = useHarnessCluster(
    { nodes: [...FREE, { name: 'h', hidden: true, seeds: ['n1'] }], module: LOAD_MODULE, netTickTime: 10_000 },
    { per: 'suite' },
  );

  it('forms a full mesh of the free nodes, each seeded only with n1', async () => {
    const c = cluster();
    expect(c.names().slice(0, 5)).toEqual(FREE.map((n) => `${n}@${n}`));
    for (const n of FREE) {
      const state = await c.state(n);
      expect(state.nodes).toEqual(FREE.filter((o) => o !== n).map((o) => `${o}@${o}`));
    }
  });

  it('lets a hidden node connect to its seed without propagating it to anyone', async () => {
    const c = cluster();
    expect(await c.connectedNodes('h')).toEqual(['n1@n1']);
    expect((await c.state('n1')).hiddenNodes).toContain('h@h');
    for (const n of FREE.slice(1)) {
      const state = await c.state(n);
      expect(state.nodes).not.toContain('h@h');
      expect(state.hiddenNodes).not.toContain('h@h');
    }
    // Only the driver is hidden there; h never appears among the visible nodes of anyone.
    expect((await c.state('n1')).nodes).not.toContain('h@h');
  });

  it('delivers every message in order under sustained load between live nodes', async () => {
    const c = cluster();
    const PER_STREAM = 50_000;
    const checkers = new Map<string, Pid>();
    for (const n of FREE) checkers.set(n, await c.spawn(n, 'load.checker', [], { name: 'checker' }));
    const streams: string[] = [];
    for (const from of FREE) {
      for (const to of FREE) {
        if (from === to) continue;
        const stream = `${from}->${to}`;
        streams.push(stream);
        await c.spawn(from, 'load.sender', [checkers.get(to), stream, PER_STREAM, 500]);
      }
    }
    const reports = await c.waitUntil(
      async () => {
        const all = await Promise.all(FREE.map((n) => c.call<{ streams: Record<string, StreamReport> }>(checkers.get(n)!, 'report')));
        const merged = Object.assign({}, ...all.map((r) => r.streams)) as Record<string, StreamReport>;
        return streams.every((s) => merged[s]?.end !== null && merged[s]?.end !== undefined) ? merged : undefined;
      },
      { timeout: 120_000, interval: 500, what: 'every stream has ended at its checker' },
    );
    for (const s of streams) {
      expect(reports[s], s).toEqual({ next: PER_STREAM, received: PER_STREAM, lost: 0, reordered: 0, end: PER_STREAM });
    }
  });

  it('keeps serving after bad frames and garbage bytes are sent at its port', async () => {
    const c = cluster();
    const target = c.node('n3');
    const address = target.address!;
    const before = (await c.rpc<{ stats: { transport: { badFrames: number } } }>('n3', 'sdnode.info')).stats.transport.badFrames;

    // ZeroMQ peers that never handshake: garbage, truncated CBOR, a frame beyond the size limit.
    const dealer = new Dealer({ linger: 0, sendTimeout: 5_000 });
    dealer.connect(address);
    await dealer.send([Buffer.from('not cbor at all')]);
    await dealer.send([Buffer.from([0xa2, 0x61, 0x6b])]);
    await dealer.send([Buffer.from([0xff, 0x00, 0x13, 0x37]), Buffer.alloc(3, 1)]);
    await dealer.send([Buffer.alloc(17 * 1024 * 1024, 0x41)]);
    // Raw TCP bytes that are not ZMTP at all.
    const [host, port] = address.replace('tcp://', '').split(':');
    await new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host: host!, port: Number(port) }, () => {
        socket.end(Buffer.from('GET / HTTP/1.1\r\n\r\n\u0000\u0001garbage'));
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.setTimeout(1_000, () => socket.destroy()); // the node may keep the half-closed socket open
    });

    await c.waitUntil(
      async () => (await c.rpc<{ stats: { transport: { badFrames: number } } }>('n3', 'sdnode.info')).stats.transport.badFrames > before,
      { what: 'n3 counted the bad frames' },
    );
    dealer.close();
    expect(await c.rpc('n3', 'sdnode.ping')).toBe('pong');
    await c.waitForMesh();
    expect(target.status).toBe('running');
  });
});
