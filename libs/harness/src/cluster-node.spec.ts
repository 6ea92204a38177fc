import { describe, expect, it } from 'vitest';
import { shouldSee } from './cluster-node.js';

describe('which nodes a node of the cluster should see', () => {
  const g1 = { g1: ['a@h', 'b@h', 'c@h'] };
  const both = { g1: ['a@h', 'b@h', 'c@h'], g2: ['c@h', 'd@h'] };

  it('are all the others when nobody is in an s_group (a full mesh)', () => {
    expect(shouldSee({}, 'b@h', {})).toBe(true);
  });

  it('are the members of its groups for an s_group node, and the free nodes for a free one', () => {
    expect(shouldSee(g1, 'b@h', g1)).toBe(true);
    expect(shouldSee(g1, 'd@h', { g2: ['c@h', 'd@h'] })).toBe(false);
    expect(shouldSee(both, 'd@h', { g2: ['c@h', 'd@h'] })).toBe(true);
    expect(shouldSee(g1, 'e@h', {})).toBe(false);
    expect(shouldSee({}, 'a@h', g1)).toBe(false);
  });
});
