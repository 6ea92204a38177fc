// Multi-node tests of the CLI with real node processes: each node is `sdnode start` in its own OS
// process on its own loopback address (the harness's local mode), talking ZeroMQ. Needs the
// built CLI (`npm test` builds first).
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { useCluster } from '@sdnode/harness/vitest';
import { findCli } from '@sdnode/harness';

const CLI = findCli();

function cli(args: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('three nodes that only know one seed', () => {
  const cluster = useCluster({ nodes: 3, cookie: 'multinode-secret' });

  it('form a full mesh', async () => {
    const c = cluster();
    // Cluster.start resolved once the mesh was there: n2 and n3 met through n1.
    expect(c.node('n2').connected()).toEqual(['n1@127.0.0.2', 'n3@127.0.0.4']);
    expect(c.node('n3').connected()).toEqual(['n1@127.0.0.2', 'n2@127.0.0.3']);
  });

  it('answer pong to ping with the right cookie and pang with a wrong one, and stay up', async () => {
    const c = cluster();
    const at = c.node('n1').address!;
    const good = await cli(['ping', 'n1@127.0.0.2', '--at', at, '--cookie', c.cookie]);
    expect(good.stdout.trim()).toBe('pong');
    expect(good.code).toBe(0);
    const bad = await cli(['ping', 'n1@127.0.0.2', '--at', at, '--cookie', 'wrong-cookie', '--timeout', '2s']);
    expect(bad.stdout.trim()).toBe('pang');
    expect(bad.code).toBe(1);
    const again = await cli(['ping', 'n1@127.0.0.2', '--at', at, '--cookie', c.cookie]);
    expect(again.stdout.trim()).toBe('pong');
    expect(c.node('n1').status).toBe('running');
  });

  it('list the connected visible nodes in info, but not the hidden inspector', async () => {
    const c = cluster();
    const r = await cli(['info', 'n1@127.0.0.2', '--at', c.node('n1').address!, '--cookie', c.cookie, '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as { name: string; nodes: string[]; processCount: number };
    expect(info.name).toBe('n1@127.0.0.2');
    expect([...info.nodes].sort()).toEqual(['n2@127.0.0.3', 'n3@127.0.0.4']);
    expect(info.processCount).toBeGreaterThan(0);
  });
});

describe('a killed node', () => {
  // A 60 s tick time: only the socket events can report the kill within the 10 s deadline.
  const cluster = useCluster({ nodes: [{ name: 'n1', args: ['--watch'] }, 'n2'], netTickTime: 60_000 });

  it('is reported down from the socket events, long before the tick time', async () => {
    const c = cluster();
    await c.waitForEvent('n1', 'echo', { node: 'n2@127.0.0.3' }, { timeout: 15_000 });
    await c.kill('n2');
    await c.waitForEvent('n1', 'nodedown', { node: 'n2@127.0.0.3' }, { timeout: 10_000 });
    const down = await c.waitForEvent('n1', 'down', { node: 'n2@127.0.0.3' }, { timeout: 10_000 });
    expect(down['reason']).toBe('noconnection');
  });
});

describe('a frozen node', () => {
  const cluster = useCluster({ nodes: 2, netTickTime: 2_000 });

  it('is reported down within the tick time, and meets its seed again after it is thawed', async () => {
    const c = cluster();
    await c.freeze('n2');
    const down = await c.waitForEvent('n1', 'nodedown', { node: 'n2@127.0.0.3' }, { timeout: 10_000 });
    expect(down['reason']).toBe('tick_timeout');
    const since = c.node('n1').log.events.length;
    await c.thaw('n2');
    // n2 sees its own side of the failure, then reconnects to its seed: a new connection epoch.
    await c.waitForEvent('n2', 'nodedown', { node: 'n1@127.0.0.2' }, { timeout: 10_000 });
    await c.waitForEvent('n1', 'nodeup', { node: 'n2@127.0.0.3' }, { timeout: 15_000, since });
    const ping = await cli(['ping', 'n2@127.0.0.3', '--at', c.node('n2').address!, '--cookie', c.cookie]);
    expect(ping.stdout.trim()).toBe('pong');
  });
});
