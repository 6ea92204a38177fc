import { ContainerRuntimeError } from '@sdnode/wire';
import { TestcontainersMissingError } from './testcontainers-missing.js';

// Re-exported for the modules that took them from here.
export { HARNESS_LABEL, OWNER_LABEL } from './labels.js';
export { TESTCONTAINERS_INSTALL, TestcontainersMissingError } from './testcontainers-missing.js';

type Testcontainers = typeof import('testcontainers');

/**
 * testcontainers, loaded on first use (only container mode needs it: install `testcontainers` 11
 * beside @sdnode/harness). Sets this machine's defaults first: no Ryuk reaper (its image cannot
 * be pulled: the harness removes what it started), and mapped ports on 127.0.0.1.
 */
export async function loadTestcontainers(env: NodeJS.ProcessEnv = process.env): Promise<Testcontainers> {
  env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';
  let loaded: Testcontainers;
  try {
    loaded = await import('testcontainers');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new TestcontainersMissingError(error);
    throw new ContainerRuntimeError('loading testcontainers', (error as Error).message);
  }
  return loaded;
}

/** Run `fn` with a deadline; rejects with ContainerRuntimeError naming `operation` when it passes. */
export async function withDeadline<T>(operation: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ContainerRuntimeError(operation, `no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), late]);
  } finally {
    clearTimeout(timer);
  }
}
