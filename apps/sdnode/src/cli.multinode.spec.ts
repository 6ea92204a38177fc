// Multi-node tests with real node processes: each node is `sdnode start` in its own OS process on
// loopback, talking ZeroMQ. Needs the built CLI (`npm test` builds first).
import { afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LocalCluster } from './testing/local-cluster.js';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const COOKIE = 'multinode-secret';

function cli(args: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('nodes as separate processes', () => {
  let cluster: LocalCluster;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  });

  afterEach(async () => {
    await cluster?.stopAll();
  });

  const withCluster = () => {
    cluster = new LocalCluster(COOKIE);
    onTestFailed(() => {
      console.error(`state of every node:\n${cluster.dump()}`);
    });
    return cluster;
  };

  it('free nodes that only know one seed form a full mesh', async () => {
    const c = withCluster();
    const n1 = await c.start('n1@127.0.0.1');
    const seed = `n1@127.0.0.1=${await n1.address()}`;
    await c.start('n2@127.0.0.1', ['--seed', seed]);
    await c.start('n3@127.0.0.1', ['--seed', seed]);
    await c.waitForNodeup('n2@127.0.0.1', 'n3@127.0.0.1');
    await c.waitForNodeup('n3@127.0.0.1', 'n2@127.0.0.1');
    await c.waitForNodeup('n1@127.0.0.1', 'n2@127.0.0.1');
    await c.waitForNodeup('n1@127.0.0.1', 'n3@127.0.0.1');
  });

  it('answers pong to ping with the right cookie and pang with a wrong one, and stays up', async () => {
    const c = withCluster();
    const n1 = await c.start('n1@127.0.0.1');
    const at = await n1.address();
    const good = await cli(['ping', 'n1@127.0.0.1', '--at', at, '--cookie', COOKIE]);
    expect(good.stdout.trim()).toBe('pong');
    expect(good.code).toBe(0);
    const bad = await cli(['ping', 'n1@127.0.0.1', '--at', at, '--cookie', 'wrong-cookie', '--timeout', '2s']);
    expect(bad.stdout.trim()).toBe('pang');
    expect(bad.code).toBe(1);
    const again = await cli(['ping', 'n1@127.0.0.1', '--at', at, '--cookie', COOKIE]);
    expect(again.stdout.trim()).toBe('pong');
    expect(n1.hasExited).toBe(false);
  });

  it('info lists the connected visible nodes but not the hidden inspector', async () => {
    const c = withCluster();
    const n1 = await c.start('n1@127.0.0.1');
    await c.start('n2@127.0.0.1', ['--seed', `n1@127.0.0.1=${await n1.address()}`]);
    await c.waitForNodeup('n1@127.0.0.1', 'n2@127.0.0.1');
    const r = await cli(['info', 'n1@127.0.0.1', '--at', await n1.address(), '--cookie', COOKIE, '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { name: string; nodes: string[]; processCount: number };
    expect(info.name).toBe('n1@127.0.0.1');
    expect(info.nodes).toEqual(['n2@127.0.0.1']);
    expect(info.processCount).toBeGreaterThan(0);
  });

  it('a killed node is reported down from the socket events, long before the tick time', async () => {
    const c = withCluster();
    // A 60 s tick time: only the socket events can report the kill within the 10 s deadline.
    const n1 = await c.start('n1@127.0.0.1', ['--tick', '60s', '--watch']);
    const n2 = await c.start('n2@127.0.0.1', ['--tick', '60s', '--seed', `n1@127.0.0.1=${await n1.address()}`]);
    await c.waitFor('n1@127.0.0.1', (e) => e.event === 'echo' && e['node'] === 'n2@127.0.0.1', 15_000, 'echo from n2');
    n2.kill();
    await c.waitForNodedown('n1@127.0.0.1', 'n2@127.0.0.1', 10_000);
    const down = await c.waitFor('n1@127.0.0.1', (e) => e.event === 'down' && e['node'] === 'n2@127.0.0.1', 10_000, 'DOWN of the echo on n2');
    expect(down['reason']).toBe('noconnection');
  });

  it('a frozen node is reported down within the tick time, and meets its seed again after it is thawed', async () => {
    const c = withCluster();
    const n1 = await c.start('n1@127.0.0.1', ['--tick', '2s']);
    const n2 = await c.start('n2@127.0.0.1', ['--tick', '2s', '--seed', `n1@127.0.0.1=${await n1.address()}`]);
    await c.waitForNodeup('n1@127.0.0.1', 'n2@127.0.0.1');
    n2.signal('SIGSTOP');
    const down = await c.waitForNodedown('n1@127.0.0.1', 'n2@127.0.0.1', 10_000);
    expect(down['reason']).toBe('tick_timeout');
    n2.signal('SIGCONT');
    // n2 sees its own side of the failure, then reconnects to its seed: a new connection epoch.
    await c.waitForNodedown('n2@127.0.0.1', 'n1@127.0.0.1', 10_000);
    await c.waitFor('n1@127.0.0.1', (e) => e.event === 'nodeup' && e['node'] === 'n2@127.0.0.1' && n1.events.indexOf(e) > n1.events.indexOf(down), 15_000, 'a second nodeup of n2');
    const ping = await cli(['ping', 'n2@127.0.0.1', '--at', await n2.address(), '--cookie', COOKIE]);
    expect(ping.stdout.trim()).toBe('pong');
  });
});
