// The DE-Bench-style workload, as a user module every node of the scale benchmark loads (the
// harness's multi mode passes it to each node like `sdnode start --module`). `setup` gives each
// node a sink process (registered locally as `debench_sink`) and the rpc function `debench.run`,
// which runs the fixed mix of operations from `concurrency` worker processes of this node until
// `endAt`, and counts what completed inside [startAt, endAt] (Date.now(): every node of the
// benchmark is on this machine, one clock):
//
// - 99 of every 100 operations, in turn: `spawn` (a remote spawn of `debench.once`, which ends at
//   once: a spawn request and its reply), `rpc` (a call of `debench.echo` through the target's
//   rpc server) and `send` (one message to the target's `debench_sink`, not awaited);
// - 1 of every 100: a registry operation, in turn `register` (a fresh name for the worker's own
//   pid), `whereis` (`find` of that name), `unregister` - in the global scope for free nodes, in
//   one of the node's own s_groups' scopes (a group name space) for s_group nodes.
//
// Targets are chosen at random per operation among `targets` (every other node for free nodes; the
// members of the node's own groups for s_group nodes, as SD Erlang's DE-Bench keeps traffic in
// groups). Each node also counts the frames it received in the window (its transport's totals
// and, by kind and control channel, the harness's counters).
import { RPC_SERVER_NAME, defineProcess } from '@sdnode/core';
import { windowFrames } from './lib/node-frames.mjs';

export const Once = defineProcess('debench.once', async () => undefined);

export const Sink = defineProcess('debench.sink', {
  init: () => 0,
  handle: (_ctx, _msg, n) => n + 1,
});

export const types = [Once, Sink];

export const functions = {
  'debench.echo': (x) => x,
};

const KINDS = ['spawn', 'rpc', 'send'];
const REGISTRY_OPS = ['register', 'whereis', 'unregister'];

function emptyCounts() {
  return { spawn: 0, rpc: 0, send: 0, register: 0, whereis: 0, unregister: 0 };
}

export function setup({ node, registry, sgroups }) {
  const sink = node.spawn(Sink);
  node.register('debench_sink', sink);
  node.registerFunction('debench.run', (options) => run(node, registry, sgroups, options));
}

/**
 * options: { targets: string[], groups: string[] (empty: the global scope), startAt, endAt (ms,
 * Date.now()), concurrency, timeout (ms per operation), seed }
 */
async function run(node, registry, sgroups, options) {
  const { targets, groups, startAt, endAt, concurrency = 2, timeout = 5_000 } = options;
  if (!Array.isArray(targets) || targets.length === 0) throw new Error('debench.run: no targets');
  const counts = emptyCounts();
  const errors = {};
  const latencyMs = { spawn: 0, rpc: 0, register: 0, whereis: 0, unregister: 0 };
  const slowest = { register: 0, whereis: 0, unregister: 0 };
  let rnd = (options.seed ?? 1) >>> 0 || 1;
  const random = (n) => {
    rnd ^= rnd << 13;
    rnd ^= rnd >>> 17;
    rnd ^= rnd << 5;
    return (rnd >>> 0) % n;
  };
  const scopeOps = groups.length === 0
    ? { register: (name, pid) => registry.global.register(name, pid), whereis: (name) => registry.global.find(name), unregister: (name) => registry.global.unregister(name) }
    : null;
  const groupOps = (group) => ({
    register: (name, pid) => sgroups.names.register(group, name, pid),
    whereis: (name) => sgroups.names.whereis(group, name),
    unregister: (name) => sgroups.names.unregister(group, name),
  });

  const snapshots = windowFrames(node, startAt, endAt);

  const worker = (w) =>
    new Promise((resolve, reject) => {
      node.spawnFn(async (ctx) => {
        try {
          // Workers start at different points of the mix (the registry triple included), so that
          // a short window still sees the fixed proportions: a whereis or unregister before this
          // worker's first register looks up or removes a name that is not there, which costs
          // the same messages.
          let i = random(100);
          let registryStep = w % 3;
          let name = `db_${node.name}_${w}_0`;
          let ops = scopeOps ?? groupOps(groups[0]);
          while (Date.now() < endAt) {
            i++;
            let kind;
            const t0 = Date.now();
            try {
              if (i % 100 === 99) {
                kind = REGISTRY_OPS[registryStep % 3];
                registryStep++;
                if (kind === 'register') {
                  ops = scopeOps ?? groupOps(groups[random(groups.length)]);
                  name = `db_${node.name}_${w}_${registryStep}`;
                  const r = await ops.register(name, ctx.self);
                  if (!r.ok) throw new Error(`register: ${r.reason}`);
                } else if (kind === 'whereis') {
                  await ops.whereis(name);
                } else {
                  await ops.unregister(name);
                }
              } else {
                kind = KINDS[i % 3];
                const target = targets[random(targets.length)];
                if (kind === 'spawn') await ctx.spawnRemote(target, 'debench.once', [], { timeout });
                else if (kind === 'rpc') {
                  const answer = await ctx.call({ name: RPC_SERVER_NAME, node: target }, { fn: 'debench.echo', args: [i] }, { timeout });
                  if (!answer?.ok) throw new Error(`rpc: ${answer?.error?.message ?? 'failed'}`);
                } else {
                  ctx.send({ name: 'debench_sink', node: target }, { i });
                  if (i % 16 === 0) await new Promise((r) => setImmediate(r)); // let I/O run between sends
                }
              }
              const t1 = Date.now();
              if (t1 >= startAt && t1 <= endAt) {
                counts[kind]++;
                if (kind !== 'send') latencyMs[kind] += t1 - t0;
                if (kind in slowest) slowest[kind] = Math.max(slowest[kind], t1 - t0);
              }
            } catch (error) {
              const key = `${kind}: ${error?.name ?? 'Error'}`;
              errors[key] = (errors[key] ?? 0) + 1;

            }
          }
          if (registryStep % 3 !== 0) await ops.unregister(name).catch(() => undefined);
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });

  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const { before, after } = await snapshots;
  return {
    node: node.name,
    counts,
    errors,
    latencyMs,
    slowest,
    connections: node.nodes({ all: true }).length,
    before,
    after,
  };
}
