import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../cli.js';
import { runCliCaptured } from '../cli-capture.test-util.js';

const run = runCliCaptured;

describe('sdnode config check', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sdnode-config-check-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the normalised cluster of a valid file and exits 0, without the literal cookie', async () => {
    const path = file('ok.yaml', 'cookie: t0p-s3cret\nnodes: [a, b]\nsgroups: {g: [a, b]}\n');
    const r = await run('config', 'check', path);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.err).toBe('');
    expect(r.out).toContain(`# ${path}: valid (2 nodes, 1 s_group, 0 applications)\n`);
    expect(r.out).toContain('# cookie: the literal in the configuration file (not shown)\n');
    expect(r.out).toContain('  - name: b@127.0.0.1\n');
    expect(r.out).toContain('    listen: tcp://127.0.0.1:4371\n');
    expect(r.out).not.toContain('t0p-s3cret');
  });

  it('prints the normalised cluster as JSON with --json', async () => {
    const path = file('ok.json', JSON.stringify({ cookie: { env: 'SDNODE_TEST_NO_SUCH_VAR' }, nodes: ['a'] }));
    const r = await run('config', 'check', path, '--json');
    expect(r.code).toBe(ExitCode.ok);
    const report = JSON.parse(r.out) as { valid: boolean; cookieAvailable: boolean; config: { cookie: unknown; nodes: { name: string; port: number }[] } };
    expect(report.valid).toBe(true);
    expect(report.cookieAvailable).toBe(false);
    expect(report.config.cookie).toEqual({ kind: 'env', name: 'SDNODE_TEST_NO_SUCH_VAR' });
    expect(report.config.nodes.map((n) => [n.name, n.port])).toEqual([['a@127.0.0.1', 4370]]);
  });

  it('says when the cookie the file names is not available on this machine', async () => {
    const path = file('env.yaml', 'cookie: {env: SDNODE_TEST_NO_SUCH_VAR}\nnodes: [a]\n');
    const r = await run('config', 'check', path);
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toContain('# cookie: environment variable SDNODE_TEST_NO_SUCH_VAR (not available here: is not set)\n');
  });

  it('prints every problem as file:line:col: message and exits 1', async () => {
    const path = file('bad.yaml', 'nodes:\n  - a\n  - {name: b, port: 70000}\n  - a\nsgroups: {g: [a, ghost]}\n');
    const r = await run('config', 'check', path);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toEqual([
      `${path}:3:21: nodes[1].port: expected a port number 0-65535; got 70000`,
      `${path}:4:5: nodes[2]: duplicate node a@127.0.0.1 (also at nodes[0])`,
      `${path}:5:18: sgroups.g[1]: unknown node "ghost" (nodes: a@127.0.0.1, b@127.0.0.1)`,
    ]);
  });

  it('reports the problems as JSON with --json', async () => {
    const path = file('bad.json', '{"nodes": ["a", "a"]}');
    const r = await run('config', 'check', path, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { valid: boolean; problems: { line: number; column: number; path: string }[] };
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => [p.line, p.column, p.path])).toEqual([[1, 17, 'nodes[1]']]);
  });

  it('exits 1 when the file cannot be read', async () => {
    const r = await run('config', 'check', join(dir, 'missing.yaml'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^cannot read .*missing\.yaml: ENOENT/);
  });

  it('needs a file argument', async () => {
    const r = await run('config', 'check');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/missing required argument 'file'/);
  });
});
