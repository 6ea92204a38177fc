import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import the workspace packages from source (no build needed for unit tests).
const alias = [
  { find: /^@sdnode\/wire$/, replacement: lib('wire') },
  { find: /^@sdnode\/transport$/, replacement: lib('transport') },
  { find: /^@sdnode\/transport\/testing$/, replacement: src('./libs/transport/src/testing/index.ts') },
  { find: /^@sdnode\/core$/, replacement: lib('core') },
  { find: /^@sdnode\/otp$/, replacement: lib('otp') },
  { find: /^@sdnode\/registry$/, replacement: lib('registry') },
  { find: /^@sdnode\/sgroups$/, replacement: lib('sgroups') },
  { find: /^@sdnode\/placement$/, replacement: lib('placement') },
  { find: /^@sdnode\/metrics$/, replacement: lib('metrics') },
  { find: /^@sdnode\/config$/, replacement: lib('config') },
  { find: /^@sdnode\/harness$/, replacement: lib('harness') },
  { find: /^@sdnode\/harness\/vitest$/, replacement: src('./libs/harness/src/vitest.ts') },
  { find: /^sdnode$/, replacement: src('./apps/sdnode/src/index.ts') },
  { find: /^sdnode\/testing$/, replacement: src('./apps/sdnode/src/testing/index.ts') },
];

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['libs/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts', 'tools/**/*.spec.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.ts'],
          // Checks for Docker (fails under CI=true / SDNODE_E2E=required, else skips),
          // builds the node image once per run, removes leftover containers.
          globalSetup: ['e2e/support/global-setup.ts'],
          // After the unit project, so containers do not compete with it for the CPUs.
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
