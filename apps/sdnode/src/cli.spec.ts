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
    expect(r.out).toMatch(/sgroup/);
    expect(r.out).toMatch(/placement/);
  });

  it('documents the placement commands and how the node asked is found', async () => {
    const r = await run('placement', '--help');
    expect(r.code).toBe(ExitCode.ok);
    for (const cmd of ['explain', 'nodes']) expect(r.out).toContain(`  ${cmd} `);
    expect(r.out).toContain('sdnode placement explain workers --config cluster.yaml --at n1');
    const explain = await run('placement', 'explain', '--help');
    for (const flag of [/--at <node\|endpoint>/, /--on <name>/, /--config <file>/, /--spec <json>/, /--json/]) expect(explain.out).toMatch(flag);
  });

  it('reports an unreachable node for placement nodes as a failure that says so', async () => {
    const r = await run('placement', 'nodes', '--on', 'n1', '--at', 'tcp://127.0.0.1:1', '--cookie', 'c', '--timeout', '300ms');
    expect(r.code).toBe(ExitCode.failed);
    expect(r.err).toMatch(/^sdnode: cannot reach n1@127\.0\.0\.1 at tcp:\/\/127\.0\.0\.1:1: /);
  });

  it('documents the sgroup commands and their arguments in the help', async () => {
    const r = await run('sgroup', '--help');
    expect(r.code).toBe(ExitCode.ok);
    for (const cmd of ['list', 'create', 'add', 'remove', 'delete']) expect(r.out).toContain(`  ${cmd} `);
    expect(r.out).toContain('sdnode sgroup add g1 n3@h --on n1@h --at tcp://h:4370');
    const add = await run('sgroup', 'add', '--help');
    expect(add.out).toMatch(/--on <name>/);
    expect(add.out).toMatch(/--address <name=endpoint>/);
  });

  it('rejects sgroup commands with bad arguments before connecting to anything', async () => {
    const at = ['--at', 'tcp://127.0.0.1:1', '--cookie', 'c'];
    const bare = await run('sgroup', 'add', 'g1', 'n3', '--on', 'n1', ...at);
    expect(bare.code).toBe(ExitCode.usage);
    expect(bare.err).toMatch(/invalid NODE: "n3" is not a full node name \(name@host\)/);
    const noTarget = await run('sgroup', 'remove', 'g1', 'n3@h', ...at);
    expect(noTarget.code).toBe(ExitCode.usage);
    expect(noTarget.err).toMatch(/invalid --on: required/);
    const badGroup = await run('sgroup', 'create', 'my group', 'n1@h', ...at);
    expect(badGroup.code).toBe(ExitCode.usage);
    expect(badGroup.err).toMatch(/invalid GROUP/);
    const badAddress = await run('sgroup', 'add', 'g1', 'n3@h', '--on', 'n1', '--address', 'n3@h', ...at);
    expect(badAddress.code).toBe(ExitCode.usage);
    expect(badAddress.err).toMatch(/--address/);
    const noNodes = await run('sgroup', 'add', 'g1', '--on', 'n1', ...at);
    expect(noNodes.code).toBe(ExitCode.usage);
    expect(noNodes.err).toMatch(/missing required argument 'nodes'/);
  });

  it('reports an unreachable node for sgroup list as a failure', async () => {
    const r = await run('sgroup', 'list', '--on', 'n1', '--at', 'tcp://127.0.0.1:1', '--cookie', 'c', '--timeout', '300ms');
    expect(r.code).toBe(ExitCode.failed);
    expect(r.err).toMatch(/^sdnode: /);
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

  it('rejects a malformed --attribute or --location of start', async () => {
    const attr = await run('start', '--name', 'a', '--cookie', 'c', '--attribute', 'gpu');
    expect(attr.code).toBe(ExitCode.usage);
    expect(attr.err).toMatch(/--attribute/);
    const loc = await run('start', '--name', 'a', '--cookie', 'c', '--location', 'planet=earth');
    expect(loc.code).toBe(ExitCode.usage);
    expect(loc.err).toMatch(/invalid --location: "planet" is not a location level/);
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
