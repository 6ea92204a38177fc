#!/usr/bin/env node
// The sdnode demo: three nodes as separate OS processes on loopback (each on its own 127.0.0.x
// address), started by the test harness with this process as their hidden driver node; a remote
// spawn, a message exchange, global names, and a killed node observed as nodedown + DOWN with its
// names gone.
import { isDown } from '@sdnode/core';
import { formatExitReason, type Pid } from '@sdnode/wire';
import { EchoProcess } from 'sdnode';
import { Cluster, RegistryRpc } from 'sdnode/testing';
import type { RegisterResult } from '@sdnode/registry';

// The demo narrates the events itself; keep the runtime's own warnings (e.g. "connection down") out of it.
process.env['SDNODE_LOG_LEVEL'] ??= 'error';
const say = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  say('== starting three nodes (separate processes, loopback) ==');
  // n2 and n3 only know n1 (their seed); start() resolves once the full-mesh policy has
  // connected them to each other as well.
  const cluster = await Cluster.start({ nodes: 3, cookie: 'sdnode-demo', netTickTime: 4000 });
  try {
    for (const n of cluster.nodes) say(`  ${n.name} listening at ${n.address} (${n.instance?.where})`);
    say('  n2 and n3 met through n1: the free nodes form a full mesh');
    const [n1, n2, n3] = cluster.names() as [string, string, string];

    const info = (await cluster.rpc(n1, 'sdnode.info')) as { nodes: string[] };
    say(`  n1 sees: ${info.nodes.join(', ')} (the hidden driver ${cluster.driver.name} is not listed)`);

    say('\n== remote spawn and messages ==');
    const echo = await cluster.spawn(n2, EchoProcess.name);
    say(`  spawned ${EchoProcess.name} on n2: ${echo}`);
    await cluster.run(async (ctx) => {
      for (const word of ['ping', 'hello', 'sdnode']) {
        ctx.send(echo, { from: ctx.self, payload: word });
        const reply = await ctx.receive((m) => (typeof m === 'object' && m !== null && 'echo' in m ? m : undefined), { timeout: 5000 });
        say(`  ${ctx.self} -> ${echo}: ${word}   reply: ${JSON.stringify(reply)}`);
      }
    });

    say('\n== global names: registered on one node, resolved on every node ==');
    const named = await cluster.rpc<RegisterResult>(n1, RegistryRpc.register, ['global', 'echo-service', echo]);
    say(`  n1 registers 'echo-service' -> ${echo}: ${named.ok ? 'ok' : named.reason}`);
    const victim: Pid = await cluster.spawn(n3, EchoProcess.name);
    await cluster.rpc<RegisterResult>(n3, RegistryRpc.register, ['global', 'doomed-service', victim]);
    await cluster.waitUntil(async () => (await cluster.rpc(n3, RegistryRpc.whereis, ['global', 'echo-service'])) !== null, { timeout: 5000, what: 'n3 resolves echo-service' });
    say(`  n3 resolves 'echo-service' -> ${String(await cluster.rpc(n3, RegistryRpc.whereis, ['global', 'echo-service']))}`);
    const taken = await cluster.rpc<RegisterResult>(n2, RegistryRpc.register, ['global', 'echo-service', await cluster.spawn(n2, EchoProcess.name)]);
    say(`  n2 tries to take 'echo-service' for another process: ${taken.ok ? 'ok' : taken.reason}`);
    await cluster.waitUntil(async () => (await cluster.rpc(n1, RegistryRpc.whereis, ['global', 'doomed-service'])) !== null, { timeout: 5000, what: 'n1 resolves doomed-service' });
    say(`  n3 registers 'doomed-service' -> ${victim}; n1 resolves it to ${String(await cluster.rpc(n1, RegistryRpc.whereis, ['global', 'doomed-service']))}`);

    say('\n== killing n3 while we monitor a process on it ==');
    await cluster.run(async (ctx) => {
      const ref = ctx.monitor(victim);
      say(`  monitoring ${victim} on n3; sending SIGKILL to n3 (${cluster.node(n3).instance?.where})`);
      await cluster.kill(n3);
      const down = await ctx.receive((m) => (isDown(m) && m.ref.equals(ref) ? m : undefined), { timeout: 15_000 });
      say(`  DOWN ${victim}: ${formatExitReason(down.reason)}`);
    });
    await cluster.waitForEvent(n1, 'nodedown', { node: n3 }, { timeout: 15_000 });
    say(`  n1 logged: nodedown ${n3}`);
    say(`  n1 now sees: ${(await cluster.connectedNodes(n1)).join(', ')}`);
    await cluster.waitUntil(async () => (await cluster.rpc(n1, RegistryRpc.whereis, ['global', 'doomed-service'])) === null, { timeout: 5000, what: 'doomed-service gone' });
    say(`  'doomed-service' went with n3: n1 resolves it to ${String(await cluster.rpc(n1, RegistryRpc.whereis, ['global', 'doomed-service']))}`);
  } finally {
    await cluster.close();
  }
  say('\n== done ==');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
