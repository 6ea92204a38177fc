import { ContainerRuntimeError } from '@sdnode/wire';

/** Labels on every container the harness starts, so a later run can sweep leftovers. */
export const HARNESS_LABEL = 'sdnode.harness';
/** The pid of the process that owns the container. */
export const OWNER_LABEL = 'sdnode.harness.owner';

type Testcontainers = typeof import('testcontainers');

/**
 * testcontainers, loaded on first use (only container mode needs it: install `testcontainers` 11
 * beside @sdnode/harness). Sets this machine's defaults first: no Ryuk reaper (its image cannot
 * be pulled: the harness removes what it started), and mapped ports on 127.0.0.1.
 */
export async function loadTestcontainers(env: NodeJS.ProcessEnv = process.env): Promise<Testcontainers> {
  env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';
  try {
    return await import('testcontainers');
  } catch (error) {
    throw new ContainerRuntimeError('loading testcontainers', `${(error as Error).message} (container mode needs the testcontainers package, version 11)`);
  }
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
