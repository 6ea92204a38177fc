import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitReasons, Pid, Ref, type DistFrame } from '@sdnode/wire';
import { MemoryNetwork, MemoryTransport } from '@sdnode/transport';
import { Node, defineProcess, type ProcessContext } from './index.js';
import { memoryNode, waitUntil } from './wait-until.test-util.js';

/** Counts the messages it receives (state readable through processInfo's queue being drained). */
const Sink = defineProcess('sink', async (ctx: ProcessContext, report: (m: unknown) => void) => {
  for (;;) report(await ctx.receive());
});

describe('incoming frames from a misbehaving peer', () => {
  let network: MemoryNetwork;
  let node: Node;
  let raw: MemoryTransport;

  beforeEach(async () => {
    network = new MemoryNetwork();
    node = await memoryNode(network, 'a');
    // A bare transport (no runtime behind it) that sends whatever frames the test hands it.
    raw = new MemoryTransport({ network, name: 'x@127.0.0.1', cookie: 'test' });
    await raw.listen();
    await raw.connect(node.name, { timeout: 3000 });
  });
  afterEach(async () => {
    await raw.close();
    await node.stop();
  });

  it('drops malformed, forged and stale frames without harming the node, and keeps the connection usable', async () => {
    const got: unknown[] = [];
    const sink = node.spawn(Sink, (m: unknown) => void got.push(m));
    const x = (id: number) => new Pid('x@127.0.0.1', id, 1);
    const elsewhere = new Pid('z@127.0.0.1', 1, 1);
    const ref = new Ref('x@127.0.0.1', 1, 1);
    const bad: unknown[] = [
      { kind: 'send', to: 'not a pid', msg: 1 },
      { kind: 'link', from: elsewhere, to: sink }, // forged: the sender is not on the peer
      { kind: 'exit', from: x(1), to: sink, reason: { kind: 'bogus' } },
      { kind: 'exit2', from: elsewhere, to: sink, reason: ExitReasons.kill },
      { kind: 'monitor', from: x(1), to: sink, ref: 'not a ref' },
      { kind: 'demonitor', from: x(1), to: sink, ref: 42 },
      { kind: 'monitor_down', from: sink, to: x(1), ref: null, reason: ExitReasons.normal },
      { kind: 'spawn_request', ref, from: x(1), type: 7, args: 'no', opts: null },
      { kind: 'nodes', nodes: 'everyone' },
      { kind: 'control', channel: 5, body: null },
    ];
    for (const f of bad) raw.send(node.name, f as DistFrame);
    // Stale but well-formed: answered or ignored as Erlang would, never counted as bad.
    raw.send(node.name, { kind: 'exit', from: x(1), to: sink, reason: ExitReasons.other('not linked') });
    raw.send(node.name, { kind: 'send', to: new Pid(node.name, 1, node.creation + 1), msg: 'old incarnation' });
    raw.send(node.name, { kind: 'spawn_reply', ref, to: x(1), result: x(2) });
    raw.send(node.name, { kind: 'send', to: sink, msg: 'still works' });
    await waitUntil(() => got.includes('still works'), 'the valid message after the bad ones');
    expect(got).toEqual(['still works']);
    expect(node.processInfo(sink)).toMatchObject({ status: 'waiting', links: [], monitoredBy: 0 });
    expect(node.info().stats.droppedFrames).toBe(bad.length);
    expect(node.nodes()).toEqual(['x@127.0.0.1']);
  });

  it('answers a LINK or MONITOR for a dead or old-incarnation pid with noproc', async () => {
    const replies: DistFrame[] = [];
    raw.on('frame', (_peer, f) => void replies.push(f));
    const old = new Pid(node.name, 1, node.creation + 1);
    const ref = new Ref('x@127.0.0.1', 9, 1);
    raw.send(node.name, { kind: 'link', from: new Pid('x@127.0.0.1', 1, 1), to: old });
    raw.send(node.name, { kind: 'monitor', from: new Pid('x@127.0.0.1', 1, 1), to: old, ref });
    raw.send(node.name, { kind: 'monitor', from: new Pid('x@127.0.0.1', 1, 1), to: 'unregistered', ref });
    await waitUntil(() => replies.length === 3, 'three answers');
    expect(replies).toEqual([
      { kind: 'exit', from: old, to: new Pid('x@127.0.0.1', 1, 1), reason: { kind: 'noproc' } },
      { kind: 'monitor_down', from: old, to: new Pid('x@127.0.0.1', 1, 1), ref, reason: { kind: 'noproc' } },
      { kind: 'monitor_down', from: 'unregistered', to: new Pid('x@127.0.0.1', 1, 1), ref, reason: { kind: 'noproc' } },
    ]);
  });
});
