// `sdnode cluster up` as a user runs it: a foreground process that starts a local cluster,
// prints its nodes and their events, and stops everything it started on SIGINT.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { NodeLog, findCli, waitUntil } from '@sdnode/harness';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Run `sdnode cluster up ARGS --json` until its ready line; returns its log and a stop function. */
async function up(args: string[]): Promise<{ log: NodeLog; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [findCli(), 'cluster', 'up', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = new NodeLog('cluster up');
  log.beginInstance(`sdnode cluster up ${args.join(' ')}`);
  createInterface({ input: child.stdout }).on('line', (line) => log.add(line));
  createInterface({ input: child.stderr }).on('line', (line) => log.add(line));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  try {
    await log.waitFor((e) => e.event === 'ready', 'the ready line', { timeout: 30_000 });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    log,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('sdnode cluster up', () => {
  it('starts the nodes of a configuration file, with its names and cookie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdnode-cluster-up-'));
    try {
      writeFileSync(join(dir, 'cookie.txt'), 'cluster-up-secret\n');
      const file = join(dir, 'cluster.yaml');
      writeFileSync(file, 'cookie: {file: cookie.txt}\nnetTickTime: 4s\ndefaults: {basePort: 0}\nnodes:\n  - a\n  - b\n');
      const { log, stop } = await up([file]);
      const line = log.events.find((e) => e.event === 'cluster_up')!;
      expect(line['nodes']).toEqual(['a@127.0.0.1', 'b@127.0.0.1']);
      expect(line['cookie']).toBe('cluster-up-secret');
      expect(await stop()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the meshed nodes and their events, and stops them all on SIGINT', async () => {
    const { log, stop } = await up(['--nodes', '3', '--tick', '2s']);
    const line = log.events.find((e) => e.event === 'cluster_up')!;
    expect(line['nodes']).toEqual(['n1@127.0.0.2', 'n2@127.0.0.3', 'n3@127.0.0.4']);
    const nodes = log.events.filter((e) => e.event === 'node');
    expect(nodes.map((e) => e['node'])).toEqual(line['nodes']);
    const pids = nodes.map((e) => Number(/os pid (\d+)/.exec(String(e['where']))?.[1]));
    expect(pids.every((p) => Number.isInteger(p) && alive(p))).toBe(true);
    expect(await stop()).toBe(0);
    await waitUntil(() => pids.every((p) => !alive(p)), { timeout: 10_000, what: 'every node process has exited' });
    expect(log.events.some((e) => e.event === 'stopping')).toBe(true);
  });

  it('rejects a bad node count as a usage error', async () => {
    const child = spawn(process.execPath, [findCli(), 'cluster', 'up', '--nodes', 'many'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--nodes/);
  });
});
