import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../cli.js';
import { runCliCaptured as run } from '../cli-capture.test-util.js';

describe('sdnode image build', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'image-command-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('documents what goes into the image', async () => {
    const r = await run('image', 'build', '--help');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toMatch(/--module <file>/);
    expect(r.out).toMatch(/--package <name>/);
    expect(r.out).toMatch(/--root <dir>/);
  });

  it('says how to install sdnode when the project does not have it (before touching Docker)', async () => {
    writeFileSync(join(dir, 'package.json'), '{"name":"empty"}');
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'empty' } } }));
    const r = await run('image', 'build', '--root', dir);
    expect(r.code).toBe(ExitCode.failed);
    expect(r.err).toMatch(/the sdnode package is not installed \(npm install --save-dev sdnode\)/);
    expect(r.err).toMatch(/ECONTAINERRUNTIME/);
  });
});
