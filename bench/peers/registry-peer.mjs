// A member node of the registry scenarios: a Node from the built @sdnode/core with the bench
// process types and a Registry (@sdnode/registry) whose global scope has the options given, on
// loopback. It does what the scenario asks through rpc functions (PEER_FUNCTIONS in
// lib/registry.mjs), so that the work and the waiting happen in this OS process, on this node.
// Usage: SDNODE_BENCH_COOKIE=... node registry-peer.mjs <name> '<global scope options as JSON>'
// Prints `READY {"name","address"}` once it listens; stops when its stdin closes.
import { listenAddress, silentLogger, stopNode } from '../lib/sdnode.mjs';
import { PEER_FUNCTIONS as F, describeScope, loadRegistry, names, registerAll, spawnIdle, startRegistryNode, timedLookups, viewReady, waitUntil } from '../lib/registry.mjs';
import { nowNs } from '../lib/result.mjs';

const [name, scopeJson = '{}'] = process.argv.slice(2);
const cookie = process.env.SDNODE_BENCH_COOKIE;
if (!name || !cookie) {
  process.stderr.write("usage: SDNODE_BENCH_COOKIE=<cookie> node registry-peer.mjs <name@host> '<scope options JSON>'\n");
  process.exit(2);
}

const loaded = await loadRegistry();
const { node, global: g } = await startRegistryNode(loaded, { name, cookie, scope: JSON.parse(scopeJson), logger: silentLogger });

/** Resolves when the scope's view has `size` members and is stable. */
node.registerFunction(F.awaitView, (size, timeoutMs = 30_000) =>
  waitUntil(() => viewReady(g, size), { intervalMs: 5, timeoutMs, what: `${name}: view of ${size}`, describe: () => describeScope(g) }).then(() => g.view().members.length),
);

/** Resolves (with the monotonic time it saw it, ns) once this node holds exactly `count` names; checked every millisecond. */
node.registerFunction(F.awaitCount, (count, timeoutMs = 60_000) =>
  waitUntil(() => g.count() === count, { timeoutMs, what: `${name}: ${count} names`, describe: () => describeScope(g) }).then(() => nowNs()),
);

/**
 * Spawn `count` idle processes here and register each under `<prefix><i>` (pipelined, each call
 * with a timeout of `timeoutMs`); resolves with the count once every registration is ok.
 */
node.registerFunction(F.registerOwn, async (prefix, count, timeoutMs = 90_000) => {
  const pids = spawnIdle(node, loaded.types, count);
  await registerAll(g, names(prefix, count), pids, timeoutMs);
  return count;
});

/** `total` lookups of `<prefix>0..<prefix>count-1`, round-robin: { seconds, found }. */
node.registerFunction(F.lookups, (prefix, count, total) => timedLookups(g, names(prefix, count), total));

/**
 * From now on, for every name starting with `prefix` that this node's view registers: once
 * whereis resolves it to the event's pid, send `{ack: name}` to `replyTo`.
 */
node.registerFunction(F.ackRegistered, (prefix, replyTo) => {
  g.subscribe((ev) => {
    if (ev.registry !== 'registered' || !ev.name.startsWith(prefix)) return;
    if (g.whereis(ev.name)?.equals(ev.pid)) node.send(replyTo, { ack: ev.name });
  });
  return true;
});

/**
 * Resolves once the groups of the scope have `total` members here: counts the pids of join
 * events (pg monitor on every group, cheap per event), and once they add up, checks the sum of
 * `members(group)` over every group (rebuilding those lists on every check would slow the node).
 */
node.registerFunction(F.awaitJoined, (total, timeoutMs = 60_000) => {
  const members = () => g.pg.whichGroups().reduce((sum, group) => sum + g.pg.members(group).length, 0);
  let joined = members(); // the joins that arrived before this call
  const stop = g.pg.monitor(null, (ev) => {
    joined += ev.registry === 'join' ? ev.pids.length : -ev.pids.length;
  });
  return waitUntil(() => joined >= total && members() === total, { timeoutMs, what: `${name}: ${total} group members`, describe: () => `${joined} joined, ${members()} members` }).finally(stop);
});

/** From now on, for every pid joining `group`: once `members(group)` shows it, send `{ack: pid}` to `replyTo`. */
node.registerFunction(F.ackJoined, (group, replyTo) => {
  g.pg.monitor(group, (ev) => {
    if (ev.registry !== 'join') return;
    const members = g.pg.members(group);
    for (const pid of ev.pids) if (members.some((m) => m.equals(pid))) node.send(replyTo, { ack: pid });
  });
  return true;
});

/** This OS process's CPU time so far, user + system, in milliseconds. */
node.registerFunction(F.cpuUsage, () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
});

process.stdin.on('end', async () => {
  await stopNode(node);
  process.exit(0);
});
process.stdin.resume();
process.stdout.write(`READY ${JSON.stringify({ name, address: listenAddress(node) })}\n`);
