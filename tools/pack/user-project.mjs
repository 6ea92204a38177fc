// A fresh npm project outside the repository with the packed tarballs installed, as a user's
// project would have them: the runtime packages as dependencies, the harness, vitest,
// testcontainers and typescript as dev dependencies. Third-party packages come from the
// machine's npm cache (`--prefer-offline`): no network is needed when they were installed once.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Thrown when the project cannot be set up (npm install failed, a package did not install). */
export class UserProjectError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UserProjectError';
  }
}

/** Run a command; resolves with its output, rejects with UserProjectError carrying it. */
export function run(command, args, { cwd, env = process.env, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      const why = error.killed ? `timed out after ${timeoutMs} ms` : `exit ${error.code}`;
      reject(new UserProjectError(`${command} ${args.join(' ')} (in ${cwd}): ${why}\n${stdout}\n${stderr}`));
    });
  });
}

/** The version of a dev tool the repository itself uses (so the npm cache has it). */
function repoVersion(repoRoot, name) {
  return JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/**
 * Create the project in a new temp directory (never under the repository) and install.
 * @param {string} repoRoot
 * @param {Map<string, string>} tarballs package name -> tarball path
 * @returns {Promise<{ dir: string, installSeconds: number }>}
 */
export async function createUserProject(repoRoot, tarballs) {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sdnode-user-project-')));
  if (!relative(realpathSync(repoRoot), dir).startsWith('..')) throw new UserProjectError(`${dir} is inside the repository`);
  const file = (name) => `file:${tarballs.get(name)}`;
  // Not on a registry: every package from its tarball, as a direct dependency, so that the
  // packages' own `@sdnode/*` dependencies are satisfied by them (and never looked up).
  const runtime = [...tarballs.keys()].filter((n) => n !== '@sdnode/harness');
  const pkg = {
    name: 'sdnode-user-project',
    private: true,
    type: 'module',
    dependencies: Object.fromEntries(runtime.map((n) => [n, file(n)])),
    devDependencies: {
      '@sdnode/harness': file('@sdnode/harness'),
      vitest: repoVersion(repoRoot, 'vitest'),
      testcontainers: repoVersion(repoRoot, 'testcontainers'),
      typescript: repoVersion(repoRoot, 'typescript'),
      '@types/node': repoVersion(repoRoot, '@types/node'),
    },
    // The repository's own pins (cbor-extract: the version whose prebuilt addon is in the npm
    // cache; another would be compiled with node-gyp, or fetched).
    overrides: JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).overrides ?? {},
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  mkdirSync(join(dir, 'test'));
  const started = performance.now();
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeoutMs: 600_000 });
  return { dir, installSeconds: Number(((performance.now() - started) / 1000).toFixed(1)) };
}
