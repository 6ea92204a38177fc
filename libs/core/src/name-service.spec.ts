import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, type Pid } from '@sdnode/wire';
import { isNameService, type Node, type NameService } from './index.js';
import { localNode } from './wait-until.test-util.js';

/** A name service that holds nothing: enough to test the node's table of services. */
function stubService(scopeName: string): NameService {
  return {
    scopeName,
    registerName: async () => ({ ok: true }),
    unregisterName: async () => undefined,
    whereisName: (): Pid | undefined => undefined,
  };
}

describe('Node: name services', () => {
  let node: Node;
  beforeEach(async () => {
    node = await localNode('names@127.0.0.1');
  });
  afterEach(async () => {
    await node.stop();
  });

  it('finds a registered service by its scope name, and nothing for other scopes', () => {
    const global = stubService('global');
    const g1 = stubService('g1');
    node.registerNameService(global);
    node.registerNameService(g1);
    expect(node.nameService('global')).toBe(global);
    expect(node.nameService('g1')).toBe(g1);
    expect(node.nameService('g2')).toBeUndefined();
  });

  it('refuses a second service for a scope that has one with InvalidArgumentError', () => {
    const first = stubService('global');
    node.registerNameService(first);
    expect(() => node.registerNameService(stubService('global'))).toThrow(InvalidArgumentError);
    expect(() => node.registerNameService(stubService('global'))).toThrow(/"global"/);
    expect(node.nameService('global')).toBe(first);
  });

  it('removes the service with the function registering returned, so that the scope can be registered again', () => {
    const first = stubService('g1');
    const remove = node.registerNameService(first);
    remove();
    expect(node.nameService('g1')).toBeUndefined();
    const second = stubService('g1');
    node.registerNameService(second);
    // Calling an old remover again leaves the newer service of the scope alone.
    remove();
    expect(node.nameService('g1')).toBe(second);
  });

  it('refuses malformed services', () => {
    expect(() => node.registerNameService({} as NameService)).toThrow(InvalidArgumentError);
    expect(() => node.registerNameService(stubService(''))).toThrow(InvalidArgumentError);
    expect(() => node.registerNameService({ ...stubService('x'), whereisName: undefined } as unknown as NameService)).toThrow(InvalidArgumentError);
    expect(node.nameService('x')).toBeUndefined();
  });

  it('keeps one table per node: a service registered on one node is unknown to another', async () => {
    const other = await localNode('other@127.0.0.1');
    try {
      node.registerNameService(stubService('global'));
      expect(other.nameService('global')).toBeUndefined();
      other.registerNameService(stubService('global'));
      expect(other.nameService('global')).not.toBe(node.nameService('global'));
    } finally {
      await other.stop();
    }
  });

  it('recognises the shape of a name service', () => {
    expect(isNameService(stubService('global'))).toBe(true);
    expect(isNameService(null)).toBe(false);
    expect(isNameService({ scopeName: 'global' })).toBe(false);
    expect(isNameService('global')).toBe(false);
  });
});
