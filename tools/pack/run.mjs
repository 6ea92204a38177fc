#!/usr/bin/env node
// Install sdnode as a user would and run what the documentation tells them to: pack every
// package, install the tarballs into a fresh project outside the repository (third-party
// packages from the npm cache), then run the README's example, `sdnode image build`, and the
// testing guide's harness tests in local and container mode.
//
// Usage: node tools/pack/run.mjs [--modes local,containers] [--keep]
// Needs: a built workspace (npm run build); for container mode a Docker engine
// (bash tools/ci/ensure-docker.sh). The e2e spec e2e/installed-packages.e2e.ts runs the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUserImage, runGuideTests, runReadmeExample, writeGuideTests } from './installed-checks.mjs';
import { packAll } from './pack-packages.mjs';
import { createUserProject } from './user-project.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function main(argv) {
  const modesAt = argv.indexOf('--modes');
  const modes = modesAt >= 0 ? argv[modesAt + 1].split(',') : ['local', 'containers'];
  const keep = argv.includes('--keep');
  const say = (msg) => process.stderr.write(`[pack] ${msg}\n`);
  const tarballDir = mkdtempSync(join(tmpdir(), 'sdnode-tarballs-'));
  let project;
  try {
    const tarballs = packAll(REPO_ROOT, tarballDir);
    say(`packed ${tarballs.size} packages: ${[...tarballs.keys()].join(', ')}`);
    project = await createUserProject(REPO_ROOT, tarballs);
    say(`installed into ${project.dir} in ${project.installSeconds}s`);
    await runReadmeExample(REPO_ROOT, project.dir);
    say('README example: echo received');
    writeGuideTests(REPO_ROOT, project.dir);
    for (const mode of modes) {
      if (mode === 'containers') {
        const image = await buildUserImage(project.dir);
        say(`sdnode image build: ${image.tag} (${image.built ? 'built' : 'reused'} in ${image.seconds}s, ${(image.sizeBytes / 1e6).toFixed(1)} MB)`);
      }
      const report = await runGuideTests(project.dir, mode);
      say(`testing guide, ${mode} mode: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
    }
  } finally {
    rmSync(tarballDir, { recursive: true, force: true });
    if (project !== undefined && !keep) rmSync(project.dir, { recursive: true, force: true });
    else if (project !== undefined) say(`kept ${project.dir}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`[pack] ERROR: ${err.name}: ${err.message}\n`);
    process.exit(1);
  });
}
