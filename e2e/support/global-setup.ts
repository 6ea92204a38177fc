// vitest globalSetup of the `e2e` project: runs once per test run, in the main
// vitest process, before any e2e file.
//
// 1. Is a Docker engine there? If not: fail (CI=true or SDNODE_E2E=required)
//    or hand the test files a reason to skip.
// 2. Sweep containers, networks and partition rules left by e2e runs that were killed.
// 3. Build the workspace (incremental) and the node image, once (the image is
//    reused while its inputs do not change).
// 4. Teardown: remove whatever this run's containers left behind.
import './env.js';
import type { TestProject } from 'vitest/node';
import { E2E_CONTEXT_KEY, type E2eContext } from './context.js';
import { DOCKER_HINT, E2eUnavailableError, probeDockerEngine } from './docker-engine.js';
import { e2eRequired } from './env.js';
import { buildWorkspace, ensureNodeImage, findRepoRoot, sweepDeadRuns, sweepRun } from '@sdnode/harness';

const say = (msg: string) => process.stderr.write(`[e2e setup] ${msg}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = await probeDockerEngine();
  if (!engine.ok) {
    if (e2eRequired()) throw new E2eUnavailableError(engine.reason);
    const reason = `${engine.reason} (${DOCKER_HINT})`;
    say(`SKIPPING the container e2e suite: ${reason}`);
    const ctx: E2eContext = { available: false, reason: engine.reason };
    project.provide(E2E_CONTEXT_KEY, ctx);
    return async () => {};
  }

  const swept = await sweepDeadRuns();
  if (swept > 0) say(`removed ${swept} container(s) left by e2e runs that no longer exist`);

  const repoRoot = findRepoRoot();
  await buildWorkspace(repoRoot);
  const image = await ensureNodeImage(repoRoot);
  say(
    `Docker ${engine.version}; image ${image.tag} ${image.built ? 'built' : 'reused'} in ${image.seconds}s ` +
      `(${(image.sizeBytes / 1e6).toFixed(1)} MB)`,
  );
  const ctx: E2eContext = { available: true, image: image.tag, ownerPid: process.pid };
  project.provide(E2E_CONTEXT_KEY, ctx);

  return async () => {
    const left = await sweepRun(process.pid);
    if (left > 0) say(`teardown removed ${left} container(s) a test did not stop`);
  };
}
