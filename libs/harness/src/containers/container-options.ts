/** Container mode settings (ClusterOptions.containers). */
export interface ContainerBackendOptions {
  /**
   * The node image (default: `sdnode-node:<content hash>`, built from this checkout by
   * tools/image/build-image.mjs when missing; no registry is used).
   */
  readonly image?: string;
  /** The repository whose build goes into the image (default: found above this package). */
  readonly repoRoot?: string;
  /**
   * A directory copied into every container with the user's module (default: only the module
   * file). The module's imports must resolve inside the image: `@sdnode/*` packages do.
   */
  readonly moduleRoot?: string;
  /** Label value naming the process that owns the containers (default: this process's pid). */
  readonly ownerPid?: number;
}
