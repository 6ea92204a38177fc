// PolicyHost.learnAddress: a connection policy tells the node's transport where a node listens,
// so that a frame sent there before any connection is up is not dropped for want of an address
// (docs/protocols/distribution.md, "Sending frames and auto-connect"). The nodes here resolve only
// what they were configured with, learnt from handshakes or were told (a StaticResolver), as on a
// real network; the memory network's default resolver finds every node by name.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryNetwork, MemoryTransport, StaticResolver, type PeerInfo } from '@sdnode/transport';
import type { Pid } from '@sdnode/wire';
import { FullMeshPolicy, type ConnectionPolicy, type PolicyHost } from './connection-policy.js';
import { Node } from './index.js';
import { defaultLogger } from './logger.js';
import { waitUntil } from './wait-until.test-util.js';

/** A policy that only hands its host to the test. */
class HostGrabber implements ConnectionPolicy {
  readonly name = 'grabber';
  host: PolicyHost | null = null;
  start(host: PolicyHost): void {
    this.host = host;
  }
  nodeUp(): void {}
  nodeDown(): void {}
  nodes(): void {}
  stop(): void {}
}

interface TestNode {
  readonly node: Node;
  readonly policy: HostGrabber;
}

async function start(network: MemoryNetwork, short: string, configured: Record<string, string> = {}): Promise<TestNode> {
  const name = `${short}@127.0.0.1`;
  const policy = new HostGrabber();
  const transport = new MemoryTransport({ network, name, cookie: 'test', resolver: new StaticResolver(configured) });
  const node = await Node.start({ name, cookie: 'test', transport, connectionPolicy: policy });
  return { node, policy };
}

function collector(node: Node): { pid: Pid; got: unknown[] } {
  const got: unknown[] = [];
  const pid = node.spawnFn(async (ctx) => {
    for (;;) got.push(await ctx.receive());
  });
  return { pid, got };
}

/** Monitor `pid` from a process on `node`: the reason of its DOWN (noconnection when the MONITOR could not be sent). */
function downAtOnce(node: Node, pid: Pid): Promise<string | undefined> {
  return node.run(async (ctx) => {
    const ref = ctx.monitor(pid);
    return ctx.receive((m: unknown) => {
      const d = m as { signal?: string; ref?: unknown; reason?: { kind: string } };
      return d.signal === 'DOWN' && d.ref === ref ? (d.reason?.kind ?? '') : undefined;
    }, { timeout: 1000 });
  });
}

describe('PolicyHost.learnAddress', () => {
  const started: Node[] = [];
  afterEach(async () => {
    await Promise.all(started.map((n) => n.stop()));
    started.length = 0;
  });

  it('makes a send to a node with no connection and no configured address reach it', async () => {
    const network = new MemoryNetwork();
    const [a, b] = [await start(network, 'a'), await start(network, 'b')];
    started.push(a.node, b.node);
    const target = collector(b.node);
    // Unknown address: the frame is dropped, and a monitor is DOWN noconnection at once.
    expect(await downAtOnce(a.node, target.pid)).toBe('noconnection');
    a.policy.host!.learnAddress!(b.node.name, b.node.address!);
    a.node.send(target.pid, 'hello');
    await waitUntil(() => target.got.includes('hello'), 'b got the message');
    expect(a.node.nodes()).toEqual([b.node.name]);
  });

  it('ignores invalid names and addresses, its own name, and never throws', async () => {
    const network = new MemoryNetwork();
    const [a, b] = [await start(network, 'a'), await start(network, 'b')];
    started.push(a.node, b.node);
    const host = a.policy.host!;
    for (const [name, address] of [
      ['no-at-sign', b.node.address!],
      [b.node.name, ''],
      [b.node.name, 'memory://with space/1'],
      [b.node.name, `memory://${'x'.repeat(2000)}`],
      [b.node.name, 42 as unknown as string],
      [a.node.name, b.node.address!],
    ] as Array<[string, string]>) {
      expect(() => host.learnAddress!(name, address)).not.toThrow();
    }
    const target = collector(b.node);
    expect(await downAtOnce(a.node, target.pid)).toBe('noconnection'); // nothing was learnt
  });

  it('keeps a configured address over a learned one, and the address of a node that is up', async () => {
    const network = new MemoryNetwork();
    const b = await start(network, 'b');
    const c = await start(network, 'c');
    const a = await start(network, 'a', { [b.node.name]: b.node.address! });
    started.push(a.node, b.node, c.node);
    // told that b listens where c does: the configured address wins
    a.policy.host!.learnAddress!(b.node.name, c.node.address!);
    const atB = collector(b.node);
    a.node.send(atB.pid, 'to b');
    await waitUntil(() => atB.got.includes('to b'), 'b got the message at its configured address');
    // c is up (connected by address): a later rumour does not redirect it once it drops
    await a.node.connect(c.node.name, { address: c.node.address!, timeout: 2000 });
    a.policy.host!.learnAddress!(c.node.name, 'memory://nowhere/1');
    a.node.disconnect(c.node.name);
    await waitUntil(() => !a.node.nodes().includes(c.node.name), 'a-c closed');
    const atC = collector(c.node);
    a.node.send(atC.pid, 'to c');
    await waitUntil(() => atC.got.includes('to c'), 'c got the message at the address its handshake advertised');
  });
});

describe('FullMeshPolicy passes on the addresses of NODES gossip', () => {
  it('tells the host where each gossiped node listens, before dialling it', () => {
    const b: PeerInfo = { name: 'b@h', hidden: false, creation: 1, address: 'memory://b@h/1', epoch: 1 };
    const events: string[] = [];
    const host: PolicyHost = {
      name: 'a@h',
      hidden: false,
      logger: defaultLogger('a@h'),
      peers: () => [b],
      connect: (name) => void events.push(`connect ${name}`),
      learnAddress: (name, address) => void events.push(`learn ${name} ${address}`),
      disconnect: () => undefined,
      sendNodes: () => true,
      sendControl: () => true,
      onControl: () => undefined,
    };
    const policy = new FullMeshPolicy();
    policy.start(host);
    policy.nodes(b, { kind: 'nodes', nodes: ['a@h', 'b@h', 'c@h'].map((name) => ({ name, address: `memory://${name}/1` })) });
    expect(events).toEqual(['learn c@h memory://c@h/1', 'connect c@h']);
    policy.stop();
  });
});
