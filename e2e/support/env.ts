// Environment for the container e2e suite. Import this module before
// testcontainers (ES modules evaluate imports in order): testcontainers reads
// these variables when it first talks to Docker.
//
// - The Ryuk reaper image cannot be pulled here: the suite removes its own
//   containers and networks (@sdnode/harness's sweeps).
// - The Docker engine runs on this machine: containers' mapped ports are on
//   127.0.0.1.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';

/** Labels every e2e container carries (the harness's), so a later run can sweep leftovers. */
export { HARNESS_LABEL as E2E_LABEL, OWNER_LABEL } from '@sdnode/harness';

const truthy = (v: string | undefined): boolean => v !== undefined && ['1', 'true', 'yes'].includes(v.toLowerCase());

/**
 * Must the container suite run? Under CI (CI=true) or SDNODE_E2E=required a
 * missing Docker engine fails the run; otherwise the suite is skipped with a
 * message saying why.
 */
export function e2eRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return truthy(env['CI']) || env['SDNODE_E2E'] === 'required';
}
