#!/usr/bin/env node
// The sdnode demo: three nodes as separate OS processes on loopback, a hidden driver node in this
// process, a remote spawn, a message exchange, and a killed node observed as nodedown + DOWN.
import { Node, isDown } from '@sdnode/core';
import { formatExitReason, type Pid } from '@sdnode/wire';
import { EchoProcess } from 'sdnode';
import { NodeProcess } from 'sdnode/testing';

const COOKIE = 'sdnode-demo';
// The demo narrates the events itself; keep the runtime's own warnings (e.g. "connection down") out of it.
process.env['SDNODE_LOG_LEVEL'] ??= 'error';
const say = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  say('== starting three nodes (separate processes, loopback) ==');
  const n1 = NodeProcess.start('n1@127.0.0.1', COOKIE);
  const a1 = await n1.address();
  const n2 = NodeProcess.start('n2@127.0.0.1', COOKIE, ['--seed', `n1@127.0.0.1=${a1}`]);
  const n3 = NodeProcess.start('n3@127.0.0.1', COOKIE, ['--seed', `n1@127.0.0.1=${a1}`]);
  const [a2, a3] = await Promise.all([n2.address(), n3.address()]);
  for (const [n, a] of [[n1, a1], [n2, a2], [n3, a3]] as const) say(`  ${n.name} listening at ${a} (os pid ${n.pid})`);

  // n2 and n3 only know n1; the full-mesh policy connects them to each other.
  await n2.waitFor((e) => e.event === 'nodeup' && e['node'] === 'n3@127.0.0.1', 15_000, 'nodeup of n3');
  say('  n2 and n3 met through n1: the free nodes form a full mesh');

  const driver = await Node.start({
    name: `demo-driver@127.0.0.1`,
    cookie: COOKIE,
    listen: 'tcp://127.0.0.1:0',
    hidden: true,
    netTickTime: 4000,
    types: [EchoProcess],
  });
  try {
    for (const [name, address] of [['n1@127.0.0.1', a1], ['n2@127.0.0.1', a2], ['n3@127.0.0.1', a3]] as const) {
      await driver.connect(name, { address, timeout: 10_000 });
    }
    driver.on('nodedown', (name: string) => say(`  [driver] nodedown ${name}`));
    const info = (await driver.rpc('n1@127.0.0.1', 'sdnode.info', [], { timeout: 5000 })) as { nodes: string[] };
    say(`  n1 sees: ${info.nodes.join(', ')} (the hidden driver is not listed)`);

    say('\n== remote spawn and messages ==');
    await driver.run(async (ctx) => {
      const echo: Pid = await ctx.spawnRemote('n2@127.0.0.1', EchoProcess.name, [], { timeout: 5000 });
      say(`  spawned ${EchoProcess.name} on n2: ${echo}`);
      for (const word of ['ping', 'hello', 'sdnode']) {
        ctx.send(echo, { from: ctx.self, payload: word });
        const reply = await ctx.receive((m) => (typeof m === 'object' && m !== null && 'echo' in m ? m : undefined), { timeout: 5000 });
        say(`  ${ctx.self} -> ${echo}: ${word}   reply: ${JSON.stringify(reply)}`);
      }
    });

    say('\n== killing n3 while we monitor a process on it ==');
    await driver.run(async (ctx) => {
      const victim = await ctx.spawnRemote('n3@127.0.0.1', EchoProcess.name, [], { timeout: 5000 });
      const ref = ctx.monitor(victim);
      say(`  monitoring ${victim} on n3; sending SIGKILL to n3 (os pid ${n3.pid})`);
      n3.kill();
      const down = await ctx.receive((m) => (isDown(m) && m.ref.equals(ref) ? m : undefined), { timeout: 15_000 });
      say(`  DOWN ${victim}: ${formatExitReason(down.reason)}`);
    });
    await n1.waitFor((e) => e.event === 'nodedown' && e['node'] === 'n3@127.0.0.1', 15_000, 'nodedown of n3');
    say('  n1 logged: nodedown n3@127.0.0.1');
    const after = (await driver.rpc('n1@127.0.0.1', 'sdnode.info', [], { timeout: 5000 })) as { nodes: string[] };
    say(`  n1 now sees: ${after.nodes.join(', ')}`);
  } finally {
    await driver.stop();
    await Promise.all([n1.stop(), n2.stop(), n3.stop()]);
  }
  say('\n== done ==');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
