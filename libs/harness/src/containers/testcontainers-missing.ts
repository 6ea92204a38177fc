// The typed error of container mode without the testcontainers package. Kept apart from the
// loader so that the public types never reference the optional peer dependency.
import { ContainerRuntimeError } from '@sdnode/wire';

/** The command that installs what container mode needs beside @sdnode/harness. */
export const TESTCONTAINERS_INSTALL = 'npm install --save-dev testcontainers@11';

/**
 * Container mode was asked for, but the `testcontainers` package (an optional peer dependency of
 * @sdnode/harness, needed only by container mode) cannot be loaded from this project.
 */
export class TestcontainersMissingError extends ContainerRuntimeError {
  constructor(cause: unknown) {
    super(
      'loading testcontainers',
      `container mode needs the testcontainers package (version 11), an optional peer dependency of @sdnode/harness ` +
        `that is not installed here: ${TESTCONTAINERS_INSTALL} (${cause instanceof Error ? cause.message : String(cause)})`,
    );
  }
}
