import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageInputError } from './image-errors.js';
import { findProjectRoot, loadProject, projectPackages } from './image-project.js';
import { buildPlan } from './plan.js';

/** A user's project: sdnode and its packages installed from the registry (or tarballs), no workspaces. */
describe('a user project as the image source', () => {
  let root: string;
  const file = (rel: string, content = 'x') => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  };
  const lock = {
    packages: {
      '': { dependencies: { ms: '2' }, devDependencies: { sdnode: '0.1.0', '@sdnode/harness': '0.1.0', vitest: '4', zod: '3' } },
      'node_modules/sdnode': { version: '0.1.0', dependencies: { '@sdnode/core': '0.1.0', '@sdnode/harness': '0.1.0' }, dev: true },
      'node_modules/@sdnode/core': { version: '0.1.0', dev: true },
      'node_modules/@sdnode/harness': { version: '0.1.0', peerDependencies: { testcontainers: '11' }, peerDependenciesMeta: { testcontainers: { optional: true } }, dev: true },
      'node_modules/ms': { version: '2.1.3' },
      'node_modules/zod': { version: '3.0.0', dev: true },
      'node_modules/vitest': { version: '4.0.0', dev: true },
      'node_modules/testcontainers': { version: '11.0.0', dev: true },
    },
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'image-project-spec-'));
    file('package.json', JSON.stringify({ name: 'user', type: 'module' }));
    file('package-lock.json', JSON.stringify(lock));
    file('node_modules/sdnode/package.json', '{}');
    file('node_modules/sdnode/dist/main.js');
    file('node_modules/@sdnode/core/package.json', '{}');
    file('node_modules/@sdnode/harness/package.json', '{}');
    file('node_modules/@sdnode/harness/dist/containers/node-image.js');
    file('node_modules/ms/index.js');
    file('node_modules/zod/index.js');
    file('node_modules/vitest/index.js');
    file('node_modules/testcontainers/index.js');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is found above the installed harness, and runs node_modules/sdnode', () => {
    expect(findProjectRoot(join(root, 'node_modules/@sdnode/harness/dist/containers'))).toBe(root);
    expect(loadProject(root).cli).toBe('node_modules/sdnode');
  });

  it("adds the project's production dependencies and the packages asked for, not its other dev dependencies", () => {
    const project = loadProject(root);
    expect(projectPackages(project, ['zod', 'not-installed'])).toEqual({ keys: ['node_modules/ms', 'node_modules/zod'], unknown: ['not-installed'] });
    const plan = buildPlan(root, { packages: ['zod'] });
    expect(plan.config.entrypoint).toEqual(['/usr/local/bin/node', '/app/node_modules/sdnode/dist/main.js']);
    expect(plan.packages).toEqual(['node_modules/@sdnode/core', 'node_modules/@sdnode/harness', 'node_modules/ms', 'node_modules/sdnode', 'node_modules/zod']);
    expect(plan.entries.some((e) => e.dest === '/app/package.json')).toBe(true);
    expect(plan.packages.some((p) => p.includes('testcontainers') || p.includes('vitest'))).toBe(false); // optional peers stay out
  });

  it('says how to install sdnode when the project does not have it', () => {
    const bare = mkdtempSync(join(tmpdir(), 'image-project-bare-'));
    try {
      writeFileSync(join(bare, 'package-lock.json'), JSON.stringify({ packages: { '': {} } }));
      expect(() => loadProject(bare)).toThrow(ImageInputError);
      expect(() => loadProject(bare)).toThrow(/npm install --save-dev sdnode/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
