import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sdnode/wire';
import { StaticResolver } from './static-resolver.js';

describe('StaticResolver', () => {
  it('resolves configured names and learns new ones', () => {
    const resolver = new StaticResolver({ 'a@h': 'tcp://10.0.0.1:4370' });
    expect(resolver.resolve('a@h')).toBe('tcp://10.0.0.1:4370');
    expect(resolver.resolve('b@h')).toBeUndefined();
    resolver.learn('b@h', 'tcp://10.0.0.2:4370');
    expect(resolver.resolve('b@h')).toBe('tcp://10.0.0.2:4370');
  });

  it('keeps a configured address even when a peer advertises another one', () => {
    const resolver = new StaticResolver(new Map([['a@h', 'tcp://10.0.0.1:4370']]));
    resolver.learn('a@h', 'tcp://6.6.6.6:1');
    expect(resolver.resolve('a@h')).toBe('tcp://10.0.0.1:4370');
    expect(resolver.entries()).toEqual([['a@h', 'tcp://10.0.0.1:4370']]);
  });

  it('rejects a configuration with a bad node name and ignores bad learned entries', () => {
    expect(() => new StaticResolver({ 'no-at-sign': 'tcp://x:1' })).toThrow(InvalidArgumentError);
    const resolver = new StaticResolver();
    resolver.learn('bad name', 'tcp://x:1');
    resolver.learn('c@h', '');
    expect(resolver.entries()).toEqual([]);
  });
});
