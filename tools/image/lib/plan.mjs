// The image plan: every path of the FROM-scratch root file system and where its
// bytes come from, plus the image configuration.
import { statSync } from 'node:fs';
import { APP_ROOT, appEntries } from './app-files.mjs';
import { baseDirectories, etcFiles, RUN_AS } from './etc-files.mjs';
import { librariesOfAll } from './native-libs.mjs';

export const NODE_DEST = '/usr/local/bin/node';
/** The workspace whose production closure goes in the image (the CLI). */
export const ENTRY_WORKSPACE = 'apps/sdnode';

/** Bump when the layout changes in a way the entries alone do not show. */
const LAYOUT_VERSION = 1;

/**
 * @param {string} repoRoot
 * @param {{ nodeBinary?: string }} [options]
 */
export function buildPlan(repoRoot, options = {}) {
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const app = appEntries(repoRoot, ENTRY_WORKSPACE);

  // Native code: the node binary and every addon that could be loaded.
  const addons = app.entries.filter((e) => e.kind === 'file' && e.dest.endsWith('.node')).map((e) => e.src);
  const { libs, missingByFile } = librariesOfAll([nodeBinary, ...addons]);
  const nodeMissing = missingByFile.get(nodeBinary);
  if (nodeMissing) throw new Error(`the node binary needs libraries ldd cannot find: ${nodeMissing.join(', ')}`);

  const entries = [
    ...baseDirectories().map((d) => ({ kind: 'dir', ...d })),
    ...etcFiles().map((f) => ({ kind: 'content', ...f })),
    { kind: 'file', dest: NODE_DEST, src: nodeBinary, mode: 0o755 },
    ...libs.map((l) => ({ kind: 'file', dest: l.dest, src: l.src, mode: statSync(l.src).mode & 0o777 })),
    ...app.entries,
  ];
  const seen = new Set();
  for (const e of entries) {
    if (seen.has(e.dest)) throw new Error(`image plan has ${e.dest} twice`);
    seen.add(e.dest);
  }
  entries.sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));

  const config = {
    layout: LAYOUT_VERSION,
    entrypoint: [NODE_DEST, `${APP_ROOT}/${ENTRY_WORKSPACE}/dist/main.js`],
    workdir: APP_ROOT,
    user: `${RUN_AS.uid}:${RUN_AS.gid}`,
    env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/tmp'],
  };
  return {
    entries,
    config,
    packages: app.packages,
    libraries: libs.map((l) => l.dest),
    unresolvedAddonLibraries: Object.fromEntries(missingByFile),
  };
}

/** Dockerfile-style instructions for `docker import --change`. */
export function importChanges(config) {
  return [
    `ENTRYPOINT ${JSON.stringify(config.entrypoint)}`,
    `WORKDIR ${config.workdir}`,
    `USER ${config.user}`,
    ...config.env.map((kv) => `ENV ${kv}`),
  ];
}
