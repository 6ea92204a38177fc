// Build the local node image `sdnode-node:<content hash>` FROM scratch, with no registry: the
// node binary, the shared libraries ldd lists, minimal /etc, the `sdnode` CLI with the packages
// it needs in production, and the packages the user's code needs. Rebuilds only when an input
// changed (the tag is the hash of the inputs).
//
// Run as a program (what ensureNodeImage and `sdnode image build` do, so the builder's
// synchronous docker and ldd calls never block the caller's event loop):
//   node build-image.js [--json] [--force] [--plan] [--root DIR] [--package NAME]...
//   --json     print one JSON object {tag, built, seconds, sizeBytes, ...} on stdout
//   --force    rebuild even when the tag exists
//   --plan     print the plan (paths and sources) instead of building
//   --root     the npm project (default: found above this file)
//   --package  a package the user's module imports (repeatable)
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planHash } from './content-hash.js';
import { docker, imageLineage, imageSize, importRootfs, LINEAGE_LABEL, pruneOldImages, stageRootfs } from './docker-image.js';
import { DockerCommandError } from './image-errors.js';
import { findProjectRoot } from './image-project.js';
import { buildPlan, importChanges } from './plan.js';

export const IMAGE_REPOSITORY = 'sdnode-node';
/**
 * Images of one lineage kept (newest first, the current one included); older ones of that
 * lineage are removed after a build.
 */
const KEEP_IMAGES = 3;

export interface BuildImageOptions {
  readonly root: string;
  readonly packages?: readonly string[];
  readonly force?: boolean;
  readonly log?: (msg: string) => void;
}

export interface BuiltImage {
  readonly tag: string;
  readonly built: boolean;
  readonly seconds: number;
  readonly hashSeconds: number;
  readonly sizeBytes: number;
  readonly paths: number;
  readonly packages: string[];
  readonly unknownPackages: string[];
  readonly libraries: string[];
}

/** Ensure the image for the project's current state exists. */
export async function ensureImage({ root, packages = [], force = false, log = () => {} }: BuildImageOptions): Promise<BuiltImage> {
  const started = performance.now();
  const plan = buildPlan(root, { packages });
  const hash = await planHash(plan.entries, plan.config);
  const tag = `${IMAGE_REPOSITORY}:${hash.slice(0, 16)}`;
  const hashSeconds = (performance.now() - started) / 1000;
  const lineage = imageLineage(root, packages);
  if (plan.unknownPackages.length > 0) log(`not in the project, left out: ${plan.unknownPackages.join(', ')}`);

  let sizeBytes = force ? undefined : imageSize(tag);
  const built = sizeBytes === undefined;
  if (built) {
    log(`building ${tag} (${plan.entries.length} paths)`);
    const stage = stageRootfs(plan.entries);
    try {
      await importRootfs(stage, tag, [...importChanges(plan.config), `LABEL ${LINEAGE_LABEL}=${lineage}`]);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
    sizeBytes = imageSize(tag);
  } else {
    log(`${tag} is up to date`);
  }
  if (sizeBytes === undefined) throw new DockerCommandError('docker import', `reported success but ${tag} does not exist`);
  docker(['tag', tag, `${IMAGE_REPOSITORY}:latest`]);
  if (built) {
    const removed = pruneOldImages(IMAGE_REPOSITORY, tag, KEEP_IMAGES, lineage);
    if (removed.length > 0) log(`removed older images: ${removed.join(', ')}`);
  }
  return {
    tag,
    built,
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    hashSeconds: Number(hashSeconds.toFixed(2)),
    sizeBytes,
    paths: plan.entries.length,
    packages: plan.packages,
    unknownPackages: plan.unknownPackages,
    libraries: plan.libraries,
  };
}

function parseArgs(argv: readonly string[]): { json: boolean; force: boolean; plan: boolean; root?: string; packages: string[] } {
  const out = { json: false, force: false, plan: false, root: undefined as string | undefined, packages: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') out.json = true;
    else if (arg === '--force') out.force = true;
    else if (arg === '--plan') out.plan = true;
    else if (arg === '--root' || arg === '--repo') out.root = argv[++i];
    else if (arg === '--package') out.packages.push(argv[++i] ?? '');
    else throw new Error(`unknown argument ${String(arg)}`);
  }
  return out;
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const root = resolve(args.root ?? findProjectRoot(dirname(fileURLToPath(import.meta.url))));
  const log = (msg: string): boolean => process.stderr.write(`[build-image] ${msg}\n`);
  if (args.plan) {
    const plan = buildPlan(root, { packages: args.packages });
    for (const e of plan.entries) process.stdout.write(`${e.kind}\t${e.dest}\t${e.kind === 'file' ? e.src : e.kind === 'symlink' ? e.target : ''}\n`);
    process.stdout.write(`# unresolved addon libraries: ${JSON.stringify(plan.unresolvedAddonLibraries)}\n`);
    return;
  }
  const result = await ensureImage({ root, packages: args.packages, force: args.force, log });
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    log(`${result.built ? 'built' : 'reused'} ${result.tag} in ${result.seconds}s, ${(result.sizeBytes / 1e6).toFixed(1)} MB`);
    process.stdout.write(`${result.tag}\n`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`[build-image] ERROR: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    process.exit(1);
  });
}
