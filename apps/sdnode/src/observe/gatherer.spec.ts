import { describe, expect, it } from 'vitest';
import { Gatherer } from './gatherer.js';
import { FakeSource, summary } from './observe-fakes.test-util.js';
import type { ClusterSnapshot } from './snapshot.js';

const [A, B, C, D] = ['a@h1', 'b@h2', 'c@h3', 'd@h4'] as const;

const statuses = (s: ClusterSnapshot): Record<string, string> => Object.fromEntries(s.nodes.map((n) => [n.name, n.status]));

/** A clock the test moves. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('the gatherer', () => {
  it('finds the cluster from one node: its connections, the members of the s_groups it knows, and their addresses', async () => {
    const src = new FakeSource();
    const g1 = { name: 'g1', members: [A, B], version: 2, own: true, addresses: { [B]: 'tcp://h2:1' } };
    const g2 = { name: 'g2', members: [B, C], version: 0, own: false, addresses: {} };
    src.answers.set(A, summary(A, { kind: 'sgroup', connections: { visible: [B], pointToPoint: [D], hidden: [src.self] }, groups: [g1, g2] }));
    src.answers.set(B, summary(B, { kind: 'sgroup', connections: { visible: [A, C], pointToPoint: [], hidden: [] }, groups: [g1, { ...g2, own: true }] }));
    src.answers.set(C, summary(C, { kind: 'sgroup', connections: { visible: [B], pointToPoint: [], hidden: [] }, groups: [{ ...g2, own: true }] }));
    src.answers.set(D, summary(D, { connections: { visible: [], pointToPoint: [A], hidden: [] } }));
    const g = new Gatherer(src, { [A]: 'tcp://h1:1' });
    await g.round(); // A only: the others are learned from its answer
    expect(src.asked).toEqual([A]);
    const s = await g.round();
    expect(statuses(s)).toEqual({ [A]: 'up', [B]: 'up', [C]: 'up', [D]: 'up' });
    expect(s.nodes.map((n) => n.name)).not.toContain(src.self);
    expect(s.groups).toEqual([
      { name: 'g1', members: [A, B], version: 2 },
      { name: 'g2', members: [B, C], version: 0 },
    ]);
    expect(s.nodes.find((n) => n.name === B)?.groups).toEqual(['g1', 'g2']);
    expect(s.edges.map((e) => [e.a, e.b, e.kind, e.oneSided])).toEqual([
      [A, B, 'visible', false],
      [A, D, 'p2p', false],
      [B, C, 'visible', false],
    ]);
  });

  it('shows a node that stops answering as unreachable while another node is still connected to it, then down, then forgets it', async () => {
    const src = new FakeSource();
    const t = clock();
    src.answers.set(A, summary(A, { connections: { visible: [B], pointToPoint: [], hidden: [] } }));
    src.answers.set(B, summary(B, { connections: { visible: [A], pointToPoint: [], hidden: [] } }));
    const g = new Gatherer(src, { [A]: null }, { now: t.now, forgetAfter: 5000 });
    await g.round();
    await g.round();
    src.answers.set(B, new Error('no connection to b@h2 (NoConnectionError)'));
    let s = await g.round();
    expect(statuses(s)).toEqual({ [A]: 'up', [B]: 'unreachable' });
    expect(s.nodes.find((n) => n.name === B)).toMatchObject({ error: 'no connection to b@h2 (NoConnectionError)', load: null, processCount: null });
    expect(s.edges.map((e) => [e.a, e.b, e.oneSided])).toEqual([[A, B, true]]);
    // A notices: nobody is connected to B any more.
    src.answers.set(A, summary(A));
    s = await g.round();
    expect(statuses(s)).toEqual({ [A]: 'up', [B]: 'down' });
    expect(s.edges).toEqual([]);
    t.advance(4999);
    expect(statuses(await g.round())).toEqual({ [A]: 'up', [B]: 'down' });
    t.advance(1);
    expect(statuses(await g.round())).toEqual({ [A]: 'up' });
    // Still in A's address book: that does not bring it back.
    src.answers.set(A, summary(A, { addresses: { [B]: 'tcp://h2:4370' } }));
    expect(statuses(await g.round())).toEqual({ [A]: 'up' });
    expect(statuses(await g.round())).toEqual({ [A]: 'up' });
  });

  it('keeps a down node that is a member of an s_group, and the node it started from, however long they are down', async () => {
    const src = new FakeSource();
    const t = clock();
    const g1 = { name: 'g1', members: [A, B], version: 0, own: true, addresses: {} };
    src.answers.set(A, summary(A, { kind: 'sgroup', groups: [g1], connections: { visible: [B], pointToPoint: [], hidden: [] } }));
    src.answers.set(C, summary(C));
    const g = new Gatherer(src, { [A]: null, [C]: null }, { now: t.now, forgetAfter: 1000 });
    await g.round();
    src.answers.set(A, summary(A, { kind: 'sgroup', groups: [g1], unreachable: [B] }));
    src.answers.set(C, new Error('refused'));
    await g.round();
    t.advance(60_000);
    const s = await g.round();
    expect(statuses(s)).toEqual({ [A]: 'up', [B]: 'down', [C]: 'down' });
    expect(s.nodes.find((n) => n.name === B)?.groups).toEqual(['g1']);
  });

  it('asks the nodes concurrently, each with its timeout: a node that never answers delays nobody and is never asked twice at once', async () => {
    const src = new FakeSource();
    src.answers.set(A, summary(A, { connections: { visible: [B, C], pointToPoint: [], hidden: [] } }));
    src.answers.set(B, 'hang');
    src.answers.set(C, summary(C, { connections: { visible: [A], pointToPoint: [], hidden: [] } }));
    const g = new Gatherer(src, { [A]: null }, { timeout: 300 });
    await g.round();
    const started = performance.now();
    const [s] = await Promise.all([g.round(), g.round()]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(src.maxInFlightPerNode).toBe(1);
    expect(statuses(s)).toEqual({ [A]: 'up', [B]: 'unreachable', [C]: 'up' });
    expect(s.nodes.find((n) => n.name === B)?.error).toMatch(/timeout after 300 ms|aborted/);
  });

  it('refuses a node that answers under another name, and tells listeners only of snapshots that changed', async () => {
    const src = new FakeSource();
    src.answers.set(A, summary('impostor@h9'));
    const g = new Gatherer(src, { [A]: null });
    const seen: number[] = [];
    g.onSnapshot(() => {
      throw new Error('a broken listener');
    });
    g.onSnapshot((s) => seen.push(s.seq));
    let s = await g.round();
    expect(s.nodes[0]).toMatchObject({ name: A, status: 'down', error: 'the node asked as a@h1 answered as impostor@h9' });
    src.answers.set(A, summary(A));
    s = await g.round();
    await g.round();
    await g.round();
    expect(s.nodes[0]?.status).toBe('up');
    expect(seen).toEqual([1, 2]);
  });

  it('polls every interval until stopped', async () => {
    const src = new FakeSource();
    src.answers.set(A, summary(A));
    const g = new Gatherer(src, { [A]: null }, { interval: 200 });
    const controller = new AbortController();
    g.start(controller.signal);
    const deadline = Date.now() + 5000;
    while (src.asked.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await g.stop();
    const count = src.asked.length;
    expect(count).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 400));
    expect(src.asked.length).toBe(count);
  });
});

describe('the gatherer with many nodes', () => {
  it('asks 300 nodes, 30 of which never answer, in one round of about the timeout', async () => {
    const src = new FakeSource();
    const names = Array.from({ length: 300 }, (_, i) => `n${i}@h${i}`);
    for (const [i, n] of names.entries()) src.answers.set(n, i % 10 === 9 ? 'hang' : summary(n, { connections: { visible: names.filter((m) => m !== n && Number(m.slice(1).split('@')[0]) % 3 === i % 3), pointToPoint: [], hidden: [] } }));
    const g = new Gatherer(src, Object.fromEntries(names.map((n) => [n, null])), { timeout: 500 });
    const started = performance.now();
    const s = await g.round();
    // One after the other, the 30 silent ones alone would take 15 s; a loaded 2-CPU machine needs slack.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(s.nodes.filter((n) => n.status === 'up')).toHaveLength(270);
    expect(s.nodes.filter((n) => n.status === 'unreachable')).toHaveLength(30); // their peers still report them
  });
});
