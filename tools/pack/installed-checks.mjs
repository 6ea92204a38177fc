// What a user does first with the installed packages, run in the user project: the README's
// program (compiled with the project's TypeScript against the published types), `sdnode image
// build`, and the testing guide's harness tests with vitest, in local and in container mode.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { guideFiles, readmeExample } from './doc-examples.mjs';
import { run, UserProjectError } from './user-project.mjs';

const bin = (dir, name) => join(dir, 'node_modules/.bin', name);
/** What the README says the example prints. */
const ECHO = /\{ echo: 'hello' \}/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Compile the README program (strict, library types checked too) and run it until it prints the echo. */
export async function runReadmeExample(repoRoot, dir, { timeoutMs = 60_000 } = {}) {
  writeFileSync(join(dir, 'readme-example.ts'), readmeExample(repoRoot));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' },
      files: ['readme-example.ts'],
    }),
  );
  await run(bin(dir, 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir, timeoutMs: 120_000 });
  return new Promise((resolve, reject) => {
    // Plain output whatever the caller's terminal (vitest sets FORCE_COLOR: console.log would colour 'hello').
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, ['out/readme-example.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const finish = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL'); // the example leaves its two nodes running
      if (error) reject(error);
      else resolve(out);
    };
    const timer = setTimeout(() => finish(new UserProjectError(`the README example printed no echo within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d) => {
      out += d.toString().replace(ANSI, '');
      if (ECHO.test(out)) finish();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      if (!ECHO.test(out)) finish(new UserProjectError(`the README example exited (${code}) without the echo:\n${out}`));
    });
  });
}

/** Write the testing guide's module and spec, and a vitest config with cluster-sized timeouts. */
export function writeGuideTests(repoRoot, dir) {
  const { module, spec } = guideFiles(repoRoot);
  writeFileSync(join(dir, 'test/cart-node.mjs'), module);
  writeFileSync(join(dir, 'test/cart.spec.ts'), spec);
  writeFileSync(
    join(dir, 'vitest.config.mjs'),
    "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['test/**/*.spec.ts'], testTimeout: 120_000, hookTimeout: 180_000 } });\n",
  );
}

/** `sdnode image build --module test/cart-node.mjs`: the node image from the user project. */
export async function buildUserImage(dir) {
  const { stdout } = await run(bin(dir, 'sdnode'), ['image', 'build', '--module', 'test/cart-node.mjs', '--json'], { cwd: dir, timeoutMs: 300_000 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

/**
 * The guide's tests with vitest in the user project, `mode` local or containers. Resolves with
 * vitest's JSON report ({ numPassedTests, numFailedTests, ... }); rejects when a test fails.
 */
export async function runGuideTests(dir, mode) {
  const report = join(dir, `vitest-${mode}.json`);
  const env = { ...process.env, SDNODE_HARNESS_MODE: mode };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS' || key === 'SDNODE_CLI') delete env[key];
  await run(bin(dir, 'vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { cwd: dir, env, timeoutMs: 600_000 });
  return JSON.parse(readFileSync(report, 'utf8'));
}
