import { execFile } from 'node:child_process';
import { loadTestcontainers, withDeadline } from './testcontainers.js';

export type EngineStatus = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string };

/** The docker CLI (the image builder uses it) must reach the engine too. */
function probeDockerCli(timeoutMs: number): Promise<EngineStatus> {
  return new Promise((resolve) => {
    execFile('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) resolve({ ok: false, reason: `the docker CLI cannot reach an engine: ${`${stderr}`.trim() || error.message}` });
      else resolve({ ok: true, version: stdout.trim() });
    });
  });
}

/**
 * Can container mode run here: does the docker CLI reach an engine, and does testcontainers?
 * Answers within `timeoutMs`, never throws (use it to skip container tests with a reason).
 */
export async function probeDockerEngine(timeoutMs = 20_000): Promise<EngineStatus> {
  const cli = await probeDockerCli(timeoutMs);
  if (!cli.ok) return cli;
  try {
    return await withDeadline('asking the Docker engine', timeoutMs, async () => {
      const { getContainerRuntimeClient } = await loadTestcontainers();
      const client = await getContainerRuntimeClient();
      return { ok: true, version: String(client.info.containerRuntime.serverVersion) } as const;
    });
  } catch (error) {
    return { ok: false, reason: `no Docker engine answers testcontainers: ${(error as Error).message}` };
  }
}
