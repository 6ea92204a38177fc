import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { GroupDefinition } from './group-definition.js';
import { forwardPlan, type DefinitionSource } from './forwarding.js';

const NODES = Array.from({ length: 12 }, (_, i) => `n${i}@h`);
const SELF = NODES[0]!;

const def = (members: readonly string[], n: number, deleted = false): GroupDefinition => ({
  name: 'g',
  members: [...new Set(members)].sort(),
  addresses: {},
  version: { n, by: 'p' },
  deleted,
});

const nodes = fc.subarray(NODES, { minLength: 0, maxLength: NODES.length });
const source: fc.Arbitrary<DefinitionSource> = fc.oneof(
  fc.constant({ via: 'config' as const }),
  fc.record({ via: fc.constant('change' as const), holders: nodes }),
  fc.record({ via: fc.constant('commit' as const), from: fc.constantFrom(...NODES), missed: fc.option(nodes, { nil: undefined }) }),
  fc.record({ via: fc.constantFrom('info' as const, 'vote' as const), from: fc.constantFrom(...NODES) }),
);

describe('forwardPlan: who gets a definition a node adopts', () => {
  it('never sends outside the group unless this node joined or left it; at most one message per peer; never to itself or the sender', () => {
    fc.assert(
      fc.property(fc.option(nodes, { nil: undefined }), nodes, fc.boolean(), nodes, source, (before, after, deleted, peers, src) => {
        const change = { group: 'g', before: before === undefined ? undefined : def(before, 1), after: def(deleted ? [] : after, 2, deleted), ownChanged: true, kindChanged: [] };
        const plan = forwardPlan({ self: SELF, change, source: src, peers: peers.filter((p) => p !== SELF) });
        const group = new Set([...(before ?? []), ...(deleted ? [] : after)]);
        const joinedOrLeft = (before ?? []).includes(SELF) !== (!deleted && after.includes(SELF));
        const all = [...plan.partial, ...plan.full];
        expect(new Set(all).size).toBe(all.length);
        expect(all).not.toContain(SELF);
        if (src.via === 'config') expect(all).toEqual([]);
        else if (joinedOrLeft) expect(plan).toEqual({ partial: [], full: peers.filter((p) => p !== SELF) });
        else {
          expect(plan.full).toEqual([]);
          for (const p of plan.partial) expect(group.has(p)).toBe(true);
          if (!group.has(SELF) || src.via === 'change') expect(plan.partial).toEqual([]);
          if (src.via !== 'change') expect(plan.partial).not.toContain(src.from);
          if (src.via === 'commit' && src.missed !== undefined) for (const p of plan.partial) expect(src.missed).toContain(p);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a COMMIT that reached every member is forwarded to nobody; one that missed a member reaches it through the others', () => {
    const change = { group: 'g', before: def(NODES.slice(0, 5), 1), after: def(NODES.slice(0, 6), 2), ownChanged: true, kindChanged: [] };
    const peers = NODES.slice(1, 10); // connected to other members and to nodes outside the group
    expect(forwardPlan({ self: SELF, change, source: { via: 'commit', from: NODES[1]!, missed: [] }, peers })).toEqual({ partial: [], full: [] });
    expect(forwardPlan({ self: SELF, change, source: { via: 'commit', from: NODES[1]!, missed: [NODES[3]!] }, peers })).toEqual({ partial: [NODES[3]], full: [] });
    // a version 2 proposer does not say whom it missed: every connected member but the proposer
    expect(forwardPlan({ self: SELF, change, source: { via: 'commit', from: NODES[1]!, missed: undefined }, peers }).partial).toEqual(NODES.slice(2, 6));
    // an INFO: every connected member but the sender; nothing outside the group
    expect(forwardPlan({ self: SELF, change, source: { via: 'info', from: NODES[2]! }, peers }).partial).toEqual([NODES[1], NODES[3], NODES[4], NODES[5]]);
    // a node outside the group that hears of it forwards nothing
    const other = { ...change, before: def(NODES.slice(1, 5), 1), after: def(NODES.slice(1, 6), 2) };
    expect(forwardPlan({ self: SELF, change: other, source: { via: 'info', from: NODES[2]! }, peers })).toEqual({ partial: [], full: [] });
  });

  it('a node that joins or leaves a group meets every peer again (full INFO), inside the group or not', () => {
    const joined = { group: 'g', before: def(NODES.slice(1, 5), 1), after: def(NODES.slice(0, 5), 2), ownChanged: true, kindChanged: [] };
    const peers = [NODES[1]!, NODES[9]!];
    expect(forwardPlan({ self: SELF, change: joined, source: { via: 'commit', from: NODES[1]!, missed: [] }, peers })).toEqual({ partial: [], full: peers });
    const deleted = { group: 'g', before: def(NODES.slice(0, 5), 1), after: def([], 2, true), ownChanged: true, kindChanged: [] };
    expect(forwardPlan({ self: SELF, change: deleted, source: { via: 'change', holders: [NODES[1]!] }, peers })).toEqual({ partial: [], full: peers });
  });
});
