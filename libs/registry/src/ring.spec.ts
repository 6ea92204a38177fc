import HashRing from 'hashring';
import { describe, expect, it } from 'vitest';
import { Ring } from './ring.js';

describe('Ring', () => {
  it('finds the same owners and holders as hashring does (the ring is part of the protocol)', () => {
    for (const size of [2, 3, 6, 17]) {
      const members = Array.from({ length: size }, (_, i) => `node_${i}_${size}@127.0.0.1`).sort();
      const ring = new Ring(members);
      const reference = new HashRing([...members], 'md5', { 'max cache size': 16 });
      for (let i = 0; i < 5000; i++) {
        const name = `name.${i}.${'é'.repeat(i % 3)}`;
        expect(ring.owner(name)).toBe(reference.get(name));
        expect(ring.holders(name, 2)).toEqual(reference.range(name, Math.min(3, size), true));
        expect(ring.holders(name, 0)).toEqual([reference.get(name)]);
      }
    }
  });

  it('is one member alone', () => {
    const ring = new Ring(['a@h']);
    expect(ring.owner('x')).toBe('a@h');
    expect(ring.holders('x', 2)).toEqual(['a@h']);
  });
});
