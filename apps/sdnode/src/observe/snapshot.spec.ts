import { describe, expect, it } from 'vitest';
import { summary } from './observe-fakes.test-util.js';
import { buildSnapshot, sameContent, type NodeEntry } from './snapshot.js';
import { applyDiff, diffSnapshots, isEmptyDiff, SnapshotMismatchError } from './snapshot-diff.js';

const [A, B, C, D, H] = ['a@h1', 'b@h2', 'c@h3', 'd@h4', 'tool@h5'] as const;
const OBSERVER = 'observer@h0';

function up(name: string, parts: Parameters<typeof summary>[1] = {}): NodeEntry {
  return { name, status: 'up', since: 1, summary: summary(name, parts), error: null, address: null };
}
const conn = (visible: string[], pointToPoint: string[] = [], hidden: string[] = []) => ({ connections: { visible, pointToPoint, hidden } });
const g1 = { name: 'g1', members: [A, B, C], version: 1, own: true, addresses: {} };

describe('the snapshot', () => {
  it('has one edge per pair, of the most visible kind either end reports, one-sided when only one end does', () => {
    const s = buildSnapshot(
      OBSERVER,
      [
        up(A, conn([B], [C], [H, OBSERVER])),
        up(B, conn([A])),
        up(C, conn([], [], [])),
        up(H, { hidden: true, kind: 'hidden', ...conn([A]) }), // to a hidden node, its peers are visible
      ],
      7,
      100,
    );
    expect(s).toMatchObject({ seq: 7, at: 100, observer: OBSERVER });
    expect(s.nodes.map((n) => n.name)).toEqual([A, B, C, H]);
    expect(s.edges.map((e) => [e.a, e.b, e.kind, e.oneSided])).toEqual([
      [A, B, 'visible', false],
      [A, C, 'p2p', true],
      [A, H, 'hidden', false],
      [B, C, 'missing', false], // both free (the default kind here), not connected
    ]);
  });

  it('marks the members of a group, and free nodes, that are up but not connected as missing edges', () => {
    const s = buildSnapshot(
      OBSERVER,
      [
        up(A, { kind: 'sgroup', groups: [g1], ...conn([B]) }),
        up(B, { kind: 'sgroup', groups: [g1], ...conn([A]) }),
        up(C, { kind: 'sgroup', groups: [g1], unreachable: [A, B] }),
        up(D, { kind: 'free' }),
        { name: 'e@h6', status: 'up', since: 1, summary: summary('e@h6', { kind: 'free' }), error: null, address: null },
      ],
      1,
      1,
    );
    expect(s.groups).toEqual([{ name: 'g1', members: [A, B, C], version: 1 }]);
    expect(s.edges.filter((e) => e.kind === 'missing').map((e) => [e.a, e.b])).toEqual([
      [A, C],
      [B, C],
      [D, 'e@h6'],
    ]);
    expect(s.nodes.find((n) => n.name === C)).toMatchObject({ groups: ['g1'], kind: 'sgroup', unreachable: [A, B] });
  });

  it('keeps the groups and address of a node that no longer answers, but not its load', () => {
    const entry: NodeEntry = { name: A, status: 'down', since: 5, summary: summary(A, { kind: 'sgroup', groups: [g1] }), error: 'refused', address: 'tcp://h1:9' };
    const s = buildSnapshot(OBSERVER, [entry], 1, 1);
    expect(s.nodes[0]).toMatchObject({ status: 'down', groups: ['g1'], address: 'tcp://h1:9', load: null, processCount: null, mailboxes: [], error: 'refused', since: 5 });
    expect(s.groups.map((g) => g.name)).toEqual(['g1']);
  });

  it('takes the highest version of a group any node knows', () => {
    const s = buildSnapshot(OBSERVER, [up(A, { groups: [{ ...g1, version: 3, members: [A, B] }] }), up(B, { groups: [g1] })], 1, 1);
    expect(s.groups).toEqual([{ name: 'g1', members: [A, B], version: 3 }]);
  });
});

describe('snapshot diffs', () => {
  const before = buildSnapshot(OBSERVER, [up(A, conn([B])), up(B, conn([A])), up(C)], 1, 10);

  it('carry the changed and new nodes, the removed ones, and the groups and edges when they changed; applied, they give the next snapshot', () => {
    const after = buildSnapshot(OBSERVER, [up(A, { ...conn([B]), processCount: 9 }), up(B, conn([A])), up(D, { kind: 'sgroup', groups: [g1] })], 2, 20);
    const diff = diffSnapshots(before, after);
    expect(diff.upsert.map((n) => n.name)).toEqual([A, B, D]); // B: now a member of g1, as D's definition says
    expect(diff.remove).toEqual([C]);
    expect(diff.groups).toEqual([{ name: 'g1', members: [A, B, C], version: 1 }]);
    expect(diff.edges?.map((e) => [e.a, e.b, e.kind])).toEqual([[A, B, 'visible']]); // the missing ones to C went with it
    expect(applyDiff(before, diff)).toEqual(after);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('are empty between snapshots of the same cluster, whatever their numbers', () => {
    const again = buildSnapshot(OBSERVER, [up(A, conn([B])), up(B, conn([A])), up(C)], 5, 99);
    expect(sameContent(before, again)).toBe(true);
    expect(isEmptyDiff(diffSnapshots(before, again))).toBe(true);
  });

  it('apply only to the snapshot they were made from', () => {
    const after = buildSnapshot(OBSERVER, [up(A)], 2, 20);
    const diff = diffSnapshots(before, after);
    expect(() => applyDiff(after, diff)).toThrow(SnapshotMismatchError);
  });
});
