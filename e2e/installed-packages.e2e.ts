// sdnode as a user meets it: every package packed (`npm pack`) and installed from the tarballs
// into a fresh project outside the repository (third-party packages from the npm cache), where
// the README's example runs, `sdnode image build` builds the node image from that project, and
// the testing guide's harness tests pass in local and in container mode. The steps are
// tools/pack/*.mjs (also runnable alone: node tools/pack/run.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUserImage, createUserProject, packAll, REPO_ROOT, runGuideTests, runReadmeExample, writeGuideTests } from '../tools/pack/index.mjs';
import { e2eContext, suiteTitle } from './support/index.js';

const ctx = e2eContext();
const say = (msg: string): boolean => process.stderr.write(`[installed packages] ${msg}\n`);

describe('the installed packages, in a project outside the repository', () => {
  let tarballDir: string;
  let project: { dir: string; installSeconds: number } | undefined;

  beforeAll(async () => {
    tarballDir = mkdtempSync(join(tmpdir(), 'sdnode-tarballs-'));
    const tarballs = packAll(REPO_ROOT, tarballDir);
    expect([...tarballs.keys()]).toEqual(expect.arrayContaining(['sdnode', '@sdnode/core', '@sdnode/harness', '@sdnode/wire']));
    project = await createUserProject(REPO_ROOT, tarballs);
    say(`${tarballs.size} packages installed into ${project.dir} in ${project.installSeconds}s`);
    writeGuideTests(REPO_ROOT, project.dir);
  }, 900_000);

  afterAll(() => {
    rmSync(tarballDir, { recursive: true, force: true });
    if (project !== undefined && process.env['SDNODE_KEEP_USER_PROJECT'] === undefined) rmSync(project.dir, { recursive: true, force: true });
  });

  const dir = (): string => {
    if (project === undefined) throw new Error('the user project was not installed');
    expect(relative(REPO_ROOT, project.dir).startsWith('..')).toBe(true);
    return project.dir;
  };

  it("runs the README's example, compiled against the published types", async () => {
    expect(await runReadmeExample(REPO_ROOT, dir())).toContain("{ echo: 'hello' }");
  }, 180_000);

  it("passes the testing guide's harness tests in local mode", async () => {
    const report = await runGuideTests(dir(), 'local');
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(2);
  }, 600_000);

  describe.skipIf(!ctx.available)(suiteTitle(ctx, 'container mode'), () => {
    it('builds the node image from the user project with `sdnode image build`', async () => {
      const image = await buildUserImage(dir());
      expect(image.tag).toMatch(/^sdnode-node:[0-9a-f]{16}$/);
      expect(image.packages).toContain('node_modules/sdnode');
      expect(image.packages.some((p) => p.includes('testcontainers') || p.includes('vitest'))).toBe(false);
    }, 600_000);

    it("passes the testing guide's harness tests in container mode", async () => {
      const report = await runGuideTests(dir(), 'containers');
      expect(report.numFailedTests).toBe(0);
      expect(report.numPassedTests).toBeGreaterThanOrEqual(2);
    }, 600_000);
  });
});
