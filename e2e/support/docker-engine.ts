// Is there a Docker engine testcontainers can use? Answers with a reason,
// never hangs (deadline), never throws.
import './env.js';
import { execFile } from 'node:child_process';
import { getContainerRuntimeClient } from 'testcontainers';

export type EngineStatus = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string };

/** The docker CLI (the image builder uses it) must reach the engine too. */
function probeDockerCli(timeoutMs: number): Promise<EngineStatus> {
  return new Promise((resolve) => {
    execFile('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) {
        const detail = `${stderr}`.trim() || error.message;
        resolve({ ok: false, reason: `the docker CLI cannot reach an engine: ${detail}` });
      } else {
        resolve({ ok: true, version: stdout.trim() });
      }
    });
  });
}

/**
 * Can the suite use Docker: does the docker CLI reach an engine, and does
 * testcontainers? Answers within `timeoutMs`.
 */
export async function probeDockerEngine(timeoutMs = 20_000): Promise<EngineStatus> {
  const cli = await probeDockerCli(timeoutMs);
  if (!cli.ok) return cli;
  return probeTestcontainers(timeoutMs);
}

/** Ask testcontainers for its container runtime client, within `timeoutMs`. */
async function probeTestcontainers(timeoutMs: number): Promise<EngineStatus> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<EngineStatus>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `the Docker engine did not answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const probe = (async (): Promise<EngineStatus> => {
    try {
      const client = await getContainerRuntimeClient();
      return { ok: true, version: String(client.info.containerRuntime.serverVersion) };
    } catch (error) {
      return { ok: false, reason: `no Docker engine answers: ${(error as Error).message}` };
    }
  })();
  try {
    return await Promise.race([probe, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The hint printed with a missing engine. */
export const DOCKER_HINT =
  'start one (as root: bash tools/ci/ensure-docker.sh installs Debian\'s docker.io and starts dockerd), ' +
  'or run without CI=true / SDNODE_E2E=required to skip the container suite';

/** Thrown (fails the run) when the container suite is required but cannot run. */
export class E2eUnavailableError extends Error {
  constructor(reason: string) {
    super(`container e2e suite is required (CI=true or SDNODE_E2E=required) but cannot run: ${reason}; ${DOCKER_HINT}`);
    this.name = 'E2eUnavailableError';
  }
}
