import { ContainerRuntimeError } from '@sdnode/wire';

/**
 * The project is not ready to be put in a node image: no lockfile, the `sdnode` package not
 * installed, a workspace not built. The message says what to do.
 */
export class ImageInputError extends ContainerRuntimeError {
  constructor(reason: string) {
    super('preparing the node image', reason);
  }
}

/** A docker or tar command failed; carries the command's output. */
export class DockerCommandError extends ContainerRuntimeError {
  constructor(command: string, detail: string) {
    super(command, detail);
  }
}

/** `ldd` cannot be run at all (not when a file is not dynamic). */
export class LddUnavailableError extends ContainerRuntimeError {
  constructor(detail: string) {
    super('listing shared libraries with ldd', detail);
  }
}
