import { afterEach, describe, expect, it } from 'vitest';
import { NotAMemberError, NameNotRegisteredError } from '@sdnode/wire';
import { eventually, registryCluster, spawnIdle, type RegistryCluster } from './testing/registry-cluster.test-util.js';

describe('the global scope, replicated', () => {
  let c: RegistryCluster;
  afterEach(async () => {
    await c?.stop();
  });

  it('registers a name on one node and every member resolves it', async () => {
    c = await registryCluster(['a', 'b', 'c']);
    await c.mesh();
    const [a, b, cc] = c.members as [typeof c.members[0], typeof c.members[0], typeof c.members[0]];
    await eventually(() => c.members.every((m) => m.registry.global.view().members.length === 3 && m.registry.global.view().stable), 'views of 3', () => c.describe());
    const [pid] = spawnIdle(a.node);
    const r = await a.registry.global.register('svc', pid!, { role: 'x' });
    expect(r.ok).toBe(true);
    expect(a.registry.global.whereis('svc')?.equals(pid!)).toBe(true);
    await eventually(() => [b, cc].every((m) => m.registry.global.whereis('svc')?.equals(pid!) === true), 'b and c see svc', () => c.describe());
    expect(b.registry.global.lookup('svc')?.meta).toEqual({ role: 'x' });
  });

  it('answers taken with the holder, and already_named for a pid with another name', async () => {
    c = await registryCluster(['a', 'b']);
    await c.mesh();
    const [a, b] = c.members as [typeof c.members[0], typeof c.members[0]];
    await eventually(() => c.members.every((m) => m.registry.global.view().members.length === 2 && m.registry.global.view().stable), 'views', () => c.describe());
    const [p1, p2] = [spawnIdle(a.node)[0]!, spawnIdle(b.node)[0]!];
    expect((await a.registry.global.register('n', p1)).ok).toBe(true);
    const taken = await b.registry.global.register('n', p2);
    expect(taken).toMatchObject({ ok: false, reason: 'taken' });
    if (!taken.ok && taken.reason === 'taken') expect(taken.holder.equals(p1)).toBe(true);
    expect(await a.registry.global.register('other', p1)).toEqual({ ok: false, reason: 'already_named', name: 'n' });
    // the same name for the same pid again is fine (idempotent)
    expect((await b.registry.global.register('n', p1)).ok).toBe(true);
  });

  it('refuses a dead pid, removes names of exiting processes everywhere', async () => {
    c = await registryCluster(['a', 'b']);
    await c.mesh();
    const [a, b] = c.members as [typeof c.members[0], typeof c.members[0]];
    await eventually(() => c.members.every((m) => m.registry.global.view().stable && m.registry.global.view().members.length === 2), 'views', () => c.describe());
    const [p] = spawnIdle(a.node);
    a.node.send(p!, 'stop');
    await eventually(() => a.node.processInfo(p!) === undefined, 'p exited');
    expect(await b.registry.global.register('dead', p!)).toEqual({ ok: false, reason: 'noproc' });
    const [q] = spawnIdle(a.node);
    expect((await b.registry.global.register('q', q!)).ok).toBe(true);
    await eventually(() => b.registry.global.whereis('q') !== undefined && a.registry.global.whereis('q') !== undefined, 'q visible');
    a.node.send(q!, 'stop');
    await eventually(() => c.members.every((m) => m.registry.global.whereis('q') === undefined), 'q gone everywhere', () => c.describe());
  });

  it('unregisters, re-registers, sends by name, and throws for unknown names', async () => {
    c = await registryCluster(['a', 'b']);
    await c.mesh();
    const [a, b] = c.members as [typeof c.members[0], typeof c.members[0]];
    await eventually(() => c.members.every((m) => m.registry.global.view().stable && m.registry.global.view().members.length === 2), 'views', () => c.describe());
    const got = await a.node.run(async (ctx) => {
      expect((await a.registry.global.register('me', ctx.self)).ok).toBe(true);
      await eventually(() => b.registry.global.whereis('me') !== undefined, 'b sees me');
      b.registry.global.send('me', 'hello');
      return ctx.receive(undefined, { timeout: 2000 });
    });
    expect(got).toBe('hello');
    const [p1, p2] = [spawnIdle(a.node)[0]!, spawnIdle(b.node)[0]!];
    await a.registry.global.register('x', p1);
    expect((await a.registry.global.reRegister('x', p2)).ok).toBe(true);
    await eventually(() => c.members.every((m) => m.registry.global.whereis('x')?.equals(p2) === true), 'x moved to p2', () => c.describe());
    await b.registry.global.unregister('x');
    await b.registry.global.unregister('never-registered');
    await eventually(() => c.members.every((m) => m.registry.global.whereis('x') === undefined), 'x gone', () => c.describe());
    expect(() => a.registry.global.send('x', 1)).toThrow(NameNotRegisteredError);
  });

  it('removes every name of a node that goes down', async () => {
    c = await registryCluster(['a', 'b', 'c']);
    await c.mesh();
    const [a, b, cc] = c.members as [typeof c.members[0], typeof c.members[0], typeof c.members[0]];
    await eventually(() => c.members.every((m) => m.registry.global.view().stable && m.registry.global.view().members.length === 3), 'views', () => c.describe());
    const pids = spawnIdle(b.node, 200);
    await Promise.all(pids.map((p, i) => b.registry.global.register(`n${i}`, p)));
    await eventually(() => a.registry.global.count() === 200 && cc.registry.global.count() === 200, '200 names everywhere', () => c.describe());
    await c.kill(b);
    await eventually(() => a.registry.global.count() === 0 && cc.registry.global.count() === 0, 'names of b gone', () => c.describe());
  });

  it('refuses writes from a hidden node and from a non-member', async () => {
    c = await registryCluster(['a']);
    const a = c.members[0]!;
    expect(() => a.registry.scope('global')).not.toThrow();
    const s = a.registry.addScope('only-b', ['b@127.0.0.1']);
    await expect(s.register('x', spawnIdle(a.node)[0]!)).rejects.toBeInstanceOf(NotAMemberError);
  });
});
