import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageInputError } from './image-errors.js';
import { productionClosure, type Lockfile } from './prod-closure.js';

/** A fake checkout: a lockfile's "packages" plus the directories that are "installed". */
describe('productionClosure', () => {
  let root: string;
  const install = (...keys: string[]) => keys.forEach((k) => mkdirSync(join(root, k), { recursive: true }));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'closure-spec-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const lock: Lockfile = {
    packages: {
      '': { workspaces: ['libs/*', 'apps/*'], devDependencies: { vitest: '1' } },
      'apps/cli': { dependencies: { '@x/lib': '1', commander: '1' } },
      'apps/demo': { dependencies: { huge: '1' } },
      'libs/lib': { name: '@x/lib', dependencies: { zmq: '1' } },
      'node_modules/@x/lib': { resolved: 'libs/lib', link: true },
      'node_modules/cli': { resolved: 'apps/cli', link: true },
      'node_modules/commander': {},
      'node_modules/zmq': { dependencies: { addon: '1' }, optionalDependencies: { 'zmq-darwin': '1' } },
      'node_modules/zmq/node_modules/addon': {},
      'node_modules/addon': {},
      'node_modules/zmq-darwin': { optional: true },
      'node_modules/huge': {},
      'node_modules/vitest': { dev: true },
    },
  };

  it('follows dependencies from the entry workspace only, through workspace links, nearest node_modules first', () => {
    install('node_modules/commander', 'node_modules/zmq', 'node_modules/zmq/node_modules/addon', 'node_modules/addon');
    install('node_modules/huge', 'node_modules/vitest');
    const c = productionClosure(root, lock, ['apps/cli']);
    expect(c.workspaces).toEqual(['apps/cli', 'libs/lib']);
    expect(c.installed).toEqual(['node_modules/commander', 'node_modules/zmq', 'node_modules/zmq/node_modules/addon']);
    expect(c.links).toEqual([{ key: 'node_modules/@x/lib', resolved: 'libs/lib' }]);
  });

  it('skips an optional dependency that is not installed (another platform)', () => {
    install('node_modules/commander', 'node_modules/zmq', 'node_modules/zmq/node_modules/addon');
    expect(productionClosure(root, lock, ['apps/cli']).installed).not.toContain('node_modules/zmq-darwin');
  });

  it('fails with ImageInputError when a required package is not installed', () => {
    install('node_modules/commander');
    expect(() => productionClosure(root, lock, ['apps/cli'])).toThrow(ImageInputError);
    expect(() => productionClosure(root, lock, ['apps/cli'])).toThrow(/libs\/lib needs zmq, which is not installed: run npm ci/);
  });

  it('fails with ImageInputError for an entry workspace the lockfile does not list', () => {
    expect(() => productionClosure(root, lock, ['apps/nope'])).toThrow(/does not list workspace apps\/nope/);
  });
});
