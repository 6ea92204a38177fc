/** Container mode settings (ClusterOptions.containers). */
export interface ContainerBackendOptions {
  /**
   * The node image (default: `sdnode-node:<content hash>`, built when missing from the npm project
   * the harness is installed in, as `sdnode image build` does; no registry is used).
   */
  readonly image?: string;
  /**
   * The npm project whose packages go into the image: this repository, or a project with the
   * `sdnode` package installed (default: the one above this package).
   */
  readonly repoRoot?: string;
  /**
   * A directory copied into every container with the user's module (default: only the module
   * file). The module's imports must resolve inside the image: the `@sdnode/*` packages, the
   * project's production dependencies and every package the module (or a script under this
   * directory) imports are put in it.
   */
  readonly moduleRoot?: string;
  /** More packages for the image, for imports the scan of the module cannot see (`import(name)`). */
  readonly packages?: readonly string[];
  /** Label value naming the process that owns the containers (default: this process's pid). */
  readonly ownerPid?: number;
}
