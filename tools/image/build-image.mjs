#!/usr/bin/env node
// Build the local node image `sdnode-node:<content hash>` FROM scratch, with no
// registry: the node binary, the shared libraries ldd lists, minimal /etc, the
// built workspace and the production node_modules. Rebuilds only when an input
// changed (the tag is the hash of the inputs).
//
// Usage: node tools/image/build-image.mjs [--json] [--force] [--plan] [--repo DIR]
//   --json   print one JSON object {tag, built, seconds, sizeBytes, ...} on stdout
//   --force  rebuild even when the tag exists
//   --plan   print the plan (paths and sources) instead of building
// Needs: a built workspace (npm run build), installed node_modules, a Docker
// engine that answers.
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planHash } from './lib/content-hash.mjs';
import { docker, imageSize, importRootfs, pruneOldImages, stageRootfs } from './lib/docker-image.mjs';
import { buildPlan, importChanges } from './lib/plan.mjs';

export const IMAGE_REPOSITORY = 'sdnode-node';
/** Images kept (newest first, the current one included); older ones are removed after a build. */
const KEEP_IMAGES = 3;

/**
 * Ensure the image for the current checkout exists.
 * @param {{ repoRoot: string, force?: boolean, log?: (msg: string) => void }} options
 */
export async function ensureImage({ repoRoot, force = false, log = () => {} }) {
  const started = performance.now();
  const plan = buildPlan(repoRoot);
  const hash = await planHash(plan.entries, plan.config);
  const tag = `${IMAGE_REPOSITORY}:${hash.slice(0, 16)}`;
  const hashSeconds = (performance.now() - started) / 1000;

  let sizeBytes = force ? undefined : imageSize(tag);
  const built = sizeBytes === undefined;
  if (built) {
    log(`building ${tag} (${plan.entries.length} paths)`);
    const stage = stageRootfs(plan.entries);
    try {
      await importRootfs(stage, tag, importChanges(plan.config));
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
    sizeBytes = imageSize(tag);
    if (sizeBytes === undefined) throw new Error(`docker import reported success but ${tag} does not exist`);
  } else {
    log(`${tag} is up to date`);
  }
  docker(['tag', tag, `${IMAGE_REPOSITORY}:latest`]);
  if (built) {
    const removed = pruneOldImages(IMAGE_REPOSITORY, tag, KEEP_IMAGES);
    if (removed.length > 0) log(`removed older images: ${removed.join(', ')}`);
  }
  return {
    tag,
    built,
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    hashSeconds: Number(hashSeconds.toFixed(2)),
    sizeBytes,
    paths: plan.entries.length,
    libraries: plan.libraries,
  };
}

async function main(argv) {
  const flag = (name) => argv.includes(name);
  const repoIdx = argv.indexOf('--repo');
  const repoRoot = resolve(repoIdx >= 0 ? argv[repoIdx + 1] : resolve(dirname(fileURLToPath(import.meta.url)), '../..'));
  const log = (msg) => process.stderr.write(`[build-image] ${msg}\n`);
  if (flag('--plan')) {
    const plan = buildPlan(repoRoot);
    for (const e of plan.entries) process.stdout.write(`${e.kind}\t${e.dest}\t${e.src ?? e.target ?? ''}\n`);
    process.stdout.write(`# unresolved addon libraries: ${JSON.stringify(plan.unresolvedAddonLibraries)}\n`);
    return;
  }
  const result = await ensureImage({ repoRoot, force: flag('--force'), log });
  if (flag('--json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    log(`${result.built ? 'built' : 'reused'} ${result.tag} in ${result.seconds}s, ${(result.sizeBytes / 1e6).toFixed(1)} MB`);
    process.stdout.write(`${result.tag}\n`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`[build-image] ERROR: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    process.exit(1);
  });
}
