#!/usr/bin/env node
// The node image builder ships with @sdnode/harness (containers/image/build-image.ts), so that
// container mode works wherever the harness is installed; `sdnode image build` runs it from a
// user's project. This script runs the built one for this repository:
//   node tools/image/build-image.mjs [--json] [--force] [--plan] [--package NAME]...
// Needs: a built workspace (npm run build), installed node_modules, a Docker engine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const builder = fileURLToPath(new URL('../../libs/harness/dist/containers/image/build-image.js', import.meta.url));
if (!existsSync(builder)) {
  process.stderr.write(`[build-image] ERROR: ${builder} is missing: build the workspace first (npm run build)\n`);
  process.exit(1);
}
const args = process.argv.slice(2);
const rooted = args.includes('--root') || args.includes('--repo') ? args : [...args, '--root', repo];
const r = spawnSync(process.execPath, [builder, ...rooted], { stdio: 'inherit' });
process.exit(r.status ?? 1);
