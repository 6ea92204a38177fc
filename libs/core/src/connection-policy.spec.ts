import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PeerInfo } from '@sdnode/transport';
import type { Node } from './index.js';
import { memoryCluster, memoryNode, waitUntil } from './wait-until.test-util.js';
import { MemoryNetwork } from '@sdnode/transport';
import { FullMeshPolicy, type PolicyHost } from './connection-policy.js';
import { defaultLogger } from './logger.js';

function peer(name: string, hidden = false): PeerInfo {
  return { name, hidden, creation: 1, address: `memory://${name}/1`, epoch: 1 };
}

/** A PolicyHost that records what the policy does. */
function fakeHost(self: string, hidden: boolean, peers: PeerInfo[]) {
  const sent: Array<[string, string[]]> = [];
  const connects: string[] = [];
  const host: PolicyHost = {
    name: self,
    hidden,
    logger: defaultLogger(self),
    peers: () => peers,
    connect: (name) => void connects.push(name),
    disconnect: () => undefined,
    sendNodes: (to, nodes) => (sent.push([to, nodes.map((n) => n.name)]), true),
    sendControl: () => true,
    onControl: () => undefined,
  };
  return { host, sent, connects };
}

describe('FullMeshPolicy', () => {
  it('gossips only visible peers, to visible peers, and never from a hidden node', () => {
    const peers = [peer('b@h'), peer('c@h'), peer('x@h', true)];
    const visible = fakeHost('a@h', false, peers);
    const policy = new FullMeshPolicy();
    policy.start(visible.host);
    policy.nodeUp(peers[0]!);
    policy.nodeUp(peers[2]!);
    expect(visible.sent).toEqual([['b@h', ['c@h']]]);

    const hiddenSelf = fakeHost('h@h', true, peers);
    const p2 = new FullMeshPolicy();
    p2.start(hiddenSelf.host);
    p2.nodeUp(peers[0]!);
    p2.nodes(peers[0]!, { kind: 'nodes', nodes: [{ name: 'z@h', address: 'memory://z@h/1' }] });
    expect(hiddenSelf.sent).toEqual([]);
    expect(hiddenSelf.connects).toEqual([]);
  });

  it('connects to gossiped nodes it lacks, ignoring itself, known peers and gossip from hidden peers', () => {
    const peers = [peer('b@h'), peer('x@h', true)];
    const { host, connects } = fakeHost('a@h', false, peers);
    const policy = new FullMeshPolicy();
    policy.start(host);
    const nodes = ['a@h', 'b@h', 'c@h', 'd@h'].map((name) => ({ name, address: `memory://${name}/1` }));
    policy.nodes(peers[0]!, { kind: 'nodes', nodes });
    policy.nodes(peers[1]!, { kind: 'nodes', nodes: [{ name: 'e@h', address: 'memory://e@h/1' }] });
    expect(connects).toEqual(['c@h', 'd@h']);
  });

  it('visible nodes connect transitively: joining one member connects a node to all', async () => {
    const { nodes, stop } = await memoryCluster(['a', 'b', 'c', 'd']);
    const [a, b, c, d] = nodes as [Node, Node, Node, Node];
    try {
      await a.connect(b.name, { timeout: 3000 });
      await c.connect(b.name, { timeout: 3000 });
      await d.connect(c.name, { timeout: 3000 });
      const full = (n: Node) => n.nodes().length === 3;
      await waitUntil(() => nodes.every(full), 'a full mesh of 4 nodes');
      expect(a.nodes().sort()).toEqual([b.name, c.name, d.name].sort());
    } finally {
      await stop();
    }
  });

  it('hidden nodes are neither propagated nor propagate', async () => {
    const { nodes, stop } = await memoryCluster(['a', 'b', 'h'], { hidden: ['h'] });
    const [a, b, h] = nodes as [Node, Node, Node];
    try {
      await h.connect(a.name, { timeout: 3000 });
      await a.connect(b.name, { timeout: 3000 });
      // b learns about a's visible peers only: wait until a and b both see each other, then make
      // sure a round of gossip has passed (an rpc over the same connection answers after it).
      await b.rpc(a.name, 'sdnode.ping');
      await a.rpc(b.name, 'sdnode.ping');
      expect(a.nodes()).toEqual([b.name]);
      expect(a.nodes({ hidden: true }).sort()).toEqual([b.name, h.name].sort());
      expect(b.nodes({ hidden: true })).toEqual([a.name]);
      expect(h.nodes({ hidden: true })).toEqual([a.name]);
      expect(h.nodes()).toEqual([a.name]);
    } finally {
      await stop();
    }
  });

  it('CONTROL frames reach the handler of their channel with the sending peer', async () => {
    const { nodes, stop } = await memoryCluster(['a', 'b']);
    const [a, b] = nodes as [Node, Node];
    try {
      const got: Array<[string, unknown]> = [];
      b.control.on('test.channel', (from: PeerInfo, body) => got.push([from.name, body]));
      await a.connect(b.name, { timeout: 3000 });
      expect(a.control.send(b.name, 'test.channel', { hello: [1, 2] })).toBe(true);
      a.control.send(b.name, 'unhandled.channel', 'dropped');
      await waitUntil(() => got.length === 1, 'control frame delivered');
      expect(got).toEqual([[a.name, { hello: [1, 2] }]]);
    } finally {
      await stop();
    }
  });
});

describe('FullMeshPolicy re-dials gossiped nodes whose dial failed', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('backs off 1, 2, 4 ... s, stops at a connection, and gives up after maxRetries', () => {
    vi.useFakeTimers();
    const peers = [peer('b@h')];
    const { host, connects } = fakeHost('a@h', false, peers);
    const policy = new FullMeshPolicy({ retryBaseMs: 1_000, retryMaxMs: 4_000, maxRetries: 3 });
    policy.start(host);
    const gossip = (names: string[]) => policy.nodes(peers[0]!, { kind: 'nodes', nodes: names.map((name) => ({ name, address: `memory://${name}/1` })) });
    gossip(['c@h', 'd@h']);
    expect(connects).toEqual(['c@h', 'd@h']);

    // c's dial fails three times in a row, then once more: retried after 1, 2 and 4 s, then given up.
    const timesOfC: number[] = [];
    const t0 = Date.now();
    const failC = () => {
      policy.connectFailed('c@h');
    };
    failC();
    expect(policy.pendingRetries()).toEqual(['c@h']);
    for (const wait of [1_000, 2_000, 4_000]) {
      const before = connects.length;
      vi.advanceTimersByTime(wait - 1);
      expect(connects.length).toBe(before);
      vi.advanceTimersByTime(1);
      expect(connects.slice(before)).toEqual(['c@h']);
      timesOfC.push(Date.now() - t0);
      failC();
    }
    expect(timesOfC).toEqual([1_000, 3_000, 7_000]);
    expect(policy.pendingRetries()).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(connects.filter((n) => n === 'c@h')).toHaveLength(4);

    // Gossip naming c again starts over.
    gossip(['c@h']);
    expect(connects.filter((n) => n === 'c@h')).toHaveLength(5);

    // d fails once, then comes up before its retry: no retry is made.
    policy.connectFailed('d@h');
    policy.nodeUp(peer('d@h'));
    vi.advanceTimersByTime(60_000);
    expect(connects.filter((n) => n === 'd@h')).toHaveLength(1);
    expect(policy.pendingRetries()).toEqual([]);
  });

  it('does not re-dial nodes it never learned from gossip, and dials a gossiped node once while a retry waits', () => {
    vi.useFakeTimers();
    const peers = [peer('b@h')];
    const { host, connects } = fakeHost('a@h', false, peers);
    const policy = new FullMeshPolicy();
    policy.start(host);
    policy.connectFailed('stranger@h');
    vi.advanceTimersByTime(60_000);
    expect(connects).toEqual([]);

    policy.nodes(peers[0]!, { kind: 'nodes', nodes: [{ name: 'c@h', address: 'memory://c@h/1' }] });
    policy.connectFailed('c@h');
    policy.nodes(peers[0]!, { kind: 'nodes', nodes: [{ name: 'c@h', address: 'memory://c@h/1' }] });
    expect(connects).toEqual(['c@h']);
    policy.stop();
    vi.advanceTimersByTime(60_000);
    expect(connects).toEqual(['c@h']);
  });

  it('completes the mesh when a gossiped dial failed at first (nodes that cannot reach each other yet)', async () => {
    const network = new MemoryNetwork();
    const policies: FullMeshPolicy[] = [];
    const start = async (n: string) => {
      const policy = new FullMeshPolicy({ retryBaseMs: 50, retryMaxMs: 200, maxRetries: 1_000 });
      policies.push(policy);
      // Dials give up after 300 ms (the default is 7 s), so the partitioned dial fails quickly.
      return memoryNode(network, n, { handshakeTimeout: 300, nodeOptions: { connectionPolicy: policy } });
    };
    const [a, b, c] = [await start('a'), await start('b'), await start('c')];
    try {
      // c cannot reach a when b's gossip tells it about a (b tells the peer that just came up of
      // the others): that dial fails.
      network.partition(a.name, c.name);
      await a.connect(b.name, { timeout: 3000 });
      await c.connect(b.name, { timeout: 3000 });
      await waitUntil(() => policies[0]!.pendingRetries().includes(c.name) || policies[2]!.pendingRetries().includes(a.name), 'a failed dial between a and c to be scheduled again');
      network.heal();
      await waitUntil(() => [a, b, c].every((n) => n.nodes().length === 2), 'a full mesh of 3 nodes after the heal, with no new gossip');
      expect(a.nodes().sort()).toEqual([b.name, c.name].sort());
    } finally {
      await Promise.all([a, b, c].map((n) => n.stop()));
    }
  });
});
