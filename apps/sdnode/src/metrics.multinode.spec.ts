// `sdnode start --metrics HOST:PORT` in real node processes (the harness's local mode): the
// endpoint is scraped over HTTP while the cluster changes. Needs the built CLI (`npm test` builds first).
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findCli } from '@sdnode/harness';
import { useCluster } from '@sdnode/harness/vitest';
import { runCliCaptured } from './cli-capture.test-util.js';

const CLI = findCli();

function cli(args: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** One sample of the text format: `name{labels} value`, labels matched as given (a subset). */
function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
  return res.text();
}

/** Scrape until `ok` holds (deadline `timeoutMs`), polling; fails with the last scrape. */
async function scrapeUntil(url: string, ok: (text: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await scrape(url);
    if (ok(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last scrape:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sdnode start --metrics', () => {
  const cluster = useCluster({ nodes: [{ name: 'n1', args: ['--metrics', '127.0.0.1:0'] }, 'n2', 'n3'], netTickTime: 5_000 });

  it('serves the node\'s metrics on a port from the OS, and they follow the cluster', async () => {
    const c = cluster();
    const event = await c.waitForEvent('n1', 'metrics', {}, { timeout: 15_000 });
    const url = String(event['url']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(Number(event['port'])).toBeGreaterThan(0);
    const n1 = c.node('n1').name;
    const [n2, n3] = [c.node('n2').name, c.node('n3').name];

    const meshed = await scrapeUntil(url, (t) => metric(t, 'sdnode_connections', { kind: 'visible' }) === 2, 'two visible connections');
    expect(metric(meshed, 'sdnode_peer_up', { peer: n2, kind: 'visible', node: n1 })).toBe(1);
    expect(metric(meshed, 'sdnode_nodeup_total', { hidden: 'false' })).toBeGreaterThanOrEqual(2);
    expect(metric(meshed, 'sdnode_processes')).toBeGreaterThan(0);
    expect(metric(meshed, 'sdnode_node_kind', { kind: 'free' })).toBe(1);
    expect(metric(meshed, 'sdnode_registry_members', { scope: 'global' })).toBeGreaterThanOrEqual(1);
    expect(metric(meshed, 'process_resident_memory_bytes')).toBeGreaterThan(0); // the process's, from prom-client
    const framesIn = metric(meshed, 'sdnode_transport_frames_total', { direction: 'in' })!;
    await scrapeUntil(url, (t) => metric(t, 'sdnode_transport_frames_total', { direction: 'in' })! > framesIn, 'frames coming in');
    await scrapeUntil(url, (t) => metric(t, 'sdnode_peer_rtt_seconds', { peer: n2 }) !== undefined, 'a round trip to n2');

    // An s_group of n1 and n2: n1 becomes an s_group node, the group's version shows, n3 is no longer visible.
    const created = await cli(['sgroup', 'create', 'g1', n1, n2, '--at', c.node('n1').address!, '--cookie', c.cookie]);
    expect(created.code, created.stderr).toBe(0);
    const grouped = await scrapeUntil(url, (t) => metric(t, 'sdnode_sgroup_members', { group: 'g1' }) === 2 && metric(t, 'sdnode_connections', { kind: 'visible' }) === 1, 'g1 and its connections');
    expect(metric(grouped, 'sdnode_sgroup_version', { group: 'g1' })).toBeGreaterThanOrEqual(1);
    expect(metric(grouped, 'sdnode_node_kind', { kind: 'sgroup' })).toBe(1);
    expect(metric(grouped, 'sdnode_peer_up', { peer: n3, kind: 'visible' })).toBeUndefined();

    // A killed member: nodedown counted, the connection gone.
    const downsBefore = metric(grouped, 'sdnode_nodedown_total', { hidden: 'false', reason: 'peer_closed' }) ?? 0;
    await c.kill('n2');
    const down = await scrapeUntil(url, (t) => metric(t, 'sdnode_peer_up', { peer: n2 }) === undefined, 'n2 gone');
    expect(metric(down, 'sdnode_nodedown_total', { hidden: 'false', reason: 'peer_closed' })).toBe(downsBefore + 1);
    expect(metric(down, 'sdnode_sgroup_connected_members', { group: 'g1' })).toBe(0);
  }, 60_000);
});

describe('sdnode start --metrics with a bad value', () => {
  it.each(['9464', 'localhost', '127.0.0.1:99999', 'http://127.0.0.1:9464'])('refuses %j as a usage error before starting anything', async (bad) => {
    const r = await runCliCaptured('start', '--name', 'a@127.0.0.1', '--cookie', 'c', '--metrics', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sdnode: invalid --metrics: .*HOST:PORT/);
  });

  it('fails the start (exit 1, EMETRICSLISTEN) when the port is taken, and stops the node it started', async () => {
    const taken = createServer();
    await new Promise<void>((resolve, reject) => taken.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (taken.address() as { port: number }).port;
      const r = await runCliCaptured('start', '--name', 'a@127.0.0.1', '--cookie', 'c', '--metrics', `127.0.0.1:${port}`);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`metrics endpoint cannot listen on 127.0.0.1:${port}: EADDRINUSE (EMETRICSLISTEN)`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
