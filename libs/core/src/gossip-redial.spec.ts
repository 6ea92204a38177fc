import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultLogger } from './logger.js';
import type { PolicyHost } from './connection-policy.js';
import { GossipRedial } from './gossip-redial.js';

function fakeHost(up: string[] = []): { host: PolicyHost; connects: string[] } {
  const connects: string[] = [];
  const host: PolicyHost = {
    name: 'a@h',
    hidden: false,
    logger: defaultLogger('a@h'),
    peers: () => up.map((name) => ({ name, hidden: false, creation: 1, address: `memory://${name}/1`, epoch: 1 })),
    connect: (name) => void connects.push(name),
    disconnect: () => undefined,
    sendNodes: () => true,
    sendControl: () => true,
    onControl: () => undefined,
  };
  return { host, connects };
}

describe('GossipRedial', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks the policy before each re-dial, and drops a node it no longer wants', () => {
    vi.useFakeTimers();
    const { host, connects } = fakeHost();
    const wanted = new Set(['c@h', 'd@h']);
    const redial = new GossipRedial(() => host, (node) => wanted.has(node), { retryBaseMs: 100 });
    redial.dial('c@h', 'memory://c@h/1');
    redial.dial('d@h', 'memory://d@h/1');
    expect(redial.failed('c@h')).toBe(true);
    expect(redial.failed('d@h')).toBe(true);
    wanted.delete('c@h'); // c joined a group this node is not in, say
    vi.advanceTimersByTime(100);
    expect(connects).toEqual(['c@h', 'd@h', 'd@h']);
    expect(redial.pending()).toEqual([]);
    // c is forgotten: a later failure report schedules nothing
    expect(redial.failed('c@h')).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(connects).toEqual(['c@h', 'd@h', 'd@h']);
  });

  it('does not re-dial a node that came up meanwhile, nor anything once its policy stopped (no host)', () => {
    vi.useFakeTimers();
    const up: string[] = [];
    const { host, connects } = fakeHost(up);
    let current: PolicyHost | null = host;
    const redial = new GossipRedial(() => current, undefined, { retryBaseMs: 100 });
    redial.dial('c@h', 'memory://c@h/1');
    redial.failed('c@h');
    up.push('c@h');
    vi.advanceTimersByTime(100);
    expect(connects).toEqual(['c@h']);
    redial.dial('e@h', 'memory://e@h/1');
    redial.failed('e@h');
    current = null;
    vi.advanceTimersByTime(100);
    expect(connects).toEqual(['c@h', 'e@h']);
    expect(redial.dial('f@h', 'memory://f@h/1')).toBe(false);
  });
});
