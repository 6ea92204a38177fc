// The service built in docs/guides/supervised-service.md, step by step, run as a test so that the
// guide's code stays true. Keep the two in step.
import { describe, expect, it } from 'vitest';
import { ExitReasons, type Pid } from '@sdnode/wire';
import { EventManager, GenServer, Supervisor, Sys } from './index.js';
import { memoryCluster, waitFor } from './testing.test-util.js';

// Step 1: the store, a GenServer with expiring entries.
interface StoreSpec {
  args: [ttlMs: number];
  state: { ttlMs: number; entries: Map<string, string> };
  calls: { get(key: string): string | null; put(key: string, value: string): void };
  casts: { forget(key: string): void };
  info: { expire: string };
}

const Store = GenServer.define<StoreSpec>('cache.store', {
  init: (_ctx, ttlMs) => ({ state: { ttlMs, entries: new Map() } }),
  handleCall: {
    get({ ctx, state }, key) {
      const value = state.entries.get(key) ?? null;
      EventManager.notify(ctx, 'cache.events', value === null ? 'miss' : 'hit');
      return { reply: value, state };
    },
    put({ ctx, state }, key, value) {
      ctx.sendAfter(state.ttlMs, ctx.self, { expire: key });
      return { reply: undefined, state: { ...state, entries: new Map(state.entries).set(key, value) } };
    },
  },
  handleCast: {
    forget: ({ state }, key) => {
      const entries = new Map(state.entries);
      entries.delete(key);
      return { state: { ...state, entries } };
    },
  },
  handleInfo({ state }, msg) {
    if (typeof msg === 'object' && msg !== null && 'expire' in msg) {
      const entries = new Map(state.entries);
      entries.delete(msg.expire);
      return { state: { ...state, entries } };
    }
    return { state };
  },
});

// Step 2: statistics, an event handler on an event manager.
const Stats = EventManager.handler<null, { hit: number; miss: number }, 'hit' | 'miss'>('cache.stats', {
  init: () => ({ state: { hit: 0, miss: 0 } }),
  handleEvent: ({ state }, event) => ({ state: { ...state, [event]: state[event] + 1 } }),
  handleCall: ({ state }) => ({ reply: state, state }),
});
const CacheEvents = EventManager.define('cache.event_manager', [Stats]);

// Step 3: the supervision tree.
const CacheSup = Supervisor.define('cache.sup', {
  init: (_ctx, ttlMs: number) => ({
    strategy: 'rest_for_one',
    intensity: 3,
    period: 10_000,
    children: [
      {
        id: 'events',
        start: async (ctx) => {
          const pid = await EventManager.startLink(ctx, { type: CacheEvents, name: 'cache.events' });
          await EventManager.addHandler(ctx, pid, Stats, null);
          return pid;
        },
      },
      Supervisor.worker('store', Store, [ttlMs], { shutdown: 2000, name: 'cache.store' }),
    ],
  }),
});

describe('the supervised service of the guide', () => {
  it('serves, counts, restarts a crashed child and its dependants, and stops in order', async () => {
    // Step 4: two nodes; the service runs on b, a client on a.
    const { nodes, stop } = await memoryCluster(['a', 'b'], { types: [Store, CacheEvents, CacheSup] });
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    try {
      const sup = await Supervisor.start(a, CacheSup, [60_000], { node: b.name, name: 'cache.sup' });

      const store = Store.client(a, { name: 'cache.store', node: b.name });
      const storePid = b.whereis('cache.store')!;
      await store.call.put('greeting', 'hello');
      expect(await store.call.get('greeting')).toBe('hello');
      expect(await store.call.get('missing')).toBeNull();
      expect(await EventManager.call(a, { name: 'cache.events', node: b.name }, 'cache.stats', 'counts')).toEqual({ hit: 1, miss: 1 });

      // Step 5: a crash. The event manager dies; rest_for_one restarts it and the store after it.
      const events = b.whereis('cache.events')!;
      a.exit(events, ExitReasons.kill);
      await waitFor(async () => {
        const children = await Supervisor.whichChildren(a, sup);
        return children.every((c) => c.pid instanceof Object) && !(children[0]!.pid as Pid).equals(events) && !(children[1]!.pid as Pid).equals(storePid);
      }, 'events and store restarted');
      expect(b.processInfo(storePid)).toBeUndefined();

      // Step 6: look inside.
      const status = await Sys.getStatus(a, sup);
      expect(status).toMatchObject({ behaviour: 'supervisor', name: 'cache.sup', status: 'running' });
      expect(status.state).toMatchObject({ strategy: 'rest_for_one', intensity: 3, children: [{ id: 'events' }, { id: 'store' }] });
      await GenServer.stop(a, sup, ExitReasons.shutdown());
      expect(b.whereis('cache.events')).toBeUndefined();
    } finally {
      await stop();
    }
  });
});
