import { describe, expect, it } from 'vitest';
import { ExitCode } from './cli.js';
import { runCliCaptured } from './cli-capture.test-util.js';

const run = runCliCaptured;

describe('sdnode CLI', () => {
  it('prints usage for --help and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toMatch(/start/);
    expect(r.out).toMatch(/ping/);
    expect(r.out).toMatch(/info/);
  });

  it('rejects an unknown command with a usage error', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/unknown command/);
  });

  it('rejects start without --name', async () => {
    const r = await run('start', '--cookie', 'c');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/--name/);
  });

  it('rejects a malformed seed naming the flag and the expected form', async () => {
    const r = await run('start', '--name', 'a@127.0.0.1', '--cookie', 'c', '--seed', 'b@127.0.0.1');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/--seed/);
    expect(r.err).toMatch(/NAME=tcp:\/\/HOST:PORT/);
  });

  it('rejects a malformed tick', async () => {
    const r = await run('start', '--name', 'a@127.0.0.1', '--cookie', 'c', '--tick', 'often');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/--tick/);
  });

  it('rejects a malformed listen endpoint before starting anything', async () => {
    const r = await run('start', '--name', 'a', '--cookie', 'c', '--listen', '127.0.0.1:80');
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/invalid --listen/);
  });

  it('requires a cookie for ping', async () => {
    const saved = process.env['SDNODE_COOKIE'];
    delete process.env['SDNODE_COOKIE'];
    try {
      const r = await run('ping', 'a@127.0.0.1', '--at', 'tcp://127.0.0.1:1');
      expect(r.code).toBe(ExitCode.usage);
      expect(r.err).toMatch(/--cookie/);
    } finally {
      if (saved !== undefined) process.env['SDNODE_COOKIE'] = saved;
    }
  });
});
