// Is there a Docker engine testcontainers can use? (@sdnode/harness probes it.)
export { probeDockerEngine, type EngineStatus } from '@sdnode/harness';

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
