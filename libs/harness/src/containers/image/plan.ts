// The image plan: every path of the FROM-scratch root file system and where its bytes come
// from, plus the image configuration.
import { statSync } from 'node:fs';
import { APP_ROOT, appEntries } from './app-files.js';
import { baseDirectories, etcFiles, RUN_AS } from './etc-files.js';
import { ImageInputError } from './image-errors.js';
import { loadProject, projectPackages } from './image-project.js';
import { librariesOfAll } from './native-libs.js';
import { byDest, type ImageConfig, type PlanEntry } from './plan-entry.js';

export const NODE_DEST = '/usr/local/bin/node';

/** Bump when the layout changes in a way the entries alone do not show. */
const LAYOUT_VERSION = 2;

export interface PlanOptions {
  /** The node binary to ship (default: the one running this). */
  readonly nodeBinary?: string;
  /**
   * Packages the user's code imports, as Node resolves them from the project root (besides the
   * project's own production dependencies, which always go in).
   */
  readonly packages?: readonly string[];
}

export interface ImagePlan {
  readonly entries: PlanEntry[];
  readonly config: ImageConfig;
  /** The workspaces and installed packages in the image. */
  readonly packages: string[];
  /** The shared libraries copied in. */
  readonly libraries: string[];
  /** Package names asked for that the project does not have. */
  readonly unknownPackages: string[];
  readonly unresolvedAddonLibraries: Record<string, string[]>;
}

/** The plan for the project at `root` (this repository or a user's project with `sdnode` installed). */
export function buildPlan(root: string, options: PlanOptions = {}): ImagePlan {
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const project = loadProject(root);
  const user = projectPackages(project, options.packages ?? []);
  const app = appEntries(root, project.lock, [project.cli, ...user.keys]);

  // Native code: the node binary and every addon that could be loaded.
  const addons = app.entries.flatMap((e) => (e.kind === 'file' && e.dest.endsWith('.node') ? [e.src] : []));
  const { libs, missingByFile } = librariesOfAll([nodeBinary, ...addons]);
  const nodeMissing = missingByFile.get(nodeBinary);
  if (nodeMissing) throw new ImageInputError(`the node binary needs libraries ldd cannot find: ${nodeMissing.join(', ')}`);

  const entries: PlanEntry[] = [
    ...baseDirectories(),
    ...etcFiles(),
    { kind: 'file', dest: NODE_DEST, src: nodeBinary, mode: 0o755 },
    ...libs.map((l): PlanEntry => ({ kind: 'file', dest: l.dest, src: l.src, mode: statSync(l.src).mode & 0o777 })),
    ...app.entries,
  ];
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.dest)) throw new ImageInputError(`image plan has ${e.dest} twice`);
    seen.add(e.dest);
  }
  entries.sort(byDest);

  const config: ImageConfig = {
    layout: LAYOUT_VERSION,
    entrypoint: [NODE_DEST, `${APP_ROOT}/${project.cli}/dist/main.js`],
    workdir: APP_ROOT,
    user: `${RUN_AS.uid}:${RUN_AS.gid}`,
    env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/tmp'],
  };
  return {
    entries,
    config,
    packages: app.packages,
    libraries: libs.map((l) => l.dest),
    unknownPackages: user.unknown,
    unresolvedAddonLibraries: Object.fromEntries(missingByFile),
  };
}

/** Dockerfile-style instructions for `docker import --change`. */
export function importChanges(config: ImageConfig): string[] {
  return [
    `ENTRYPOINT ${JSON.stringify(config.entrypoint)}`,
    `WORKDIR ${config.workdir}`,
    `USER ${config.user}`,
    ...config.env.map((kv) => `ENV ${kv}`),
  ];
}
