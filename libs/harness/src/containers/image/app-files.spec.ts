import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appEntries } from './app-files.js';
import { ImageInputError } from './image-errors.js';
import type { Lockfile } from './prod-closure.js';

describe('appEntries', () => {
  let root: string;
  let lock: Lockfile;
  const file = (rel: string, content = 'x') => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'app-files-spec-'));
    file('package.json', '{}');
    lock = {
      packages: {
        '': {},
        'apps/sdnode': { dependencies: { zeromq: '6' } },
        'node_modules/sdnode': { resolved: 'apps/sdnode', link: true },
        'node_modules/zeromq': {},
      },
    };
    file('apps/sdnode/package.json', '{}');
    file('apps/sdnode/src/main.ts');
    file('apps/sdnode/dist/main.js');
    file('apps/sdnode/dist/main.d.ts');
    file('apps/sdnode/dist/tsconfig.tsbuildinfo');
    file('node_modules/zeromq/package.json', '{}');
    file('node_modules/zeromq/build/manifest.json', '{}');
    file(`node_modules/zeromq/build/${process.platform}/${process.arch}/node/addon.node`);
    file('node_modules/zeromq/build/win32/x64/node/addon.node');
    file(`node_modules/zeromq/build/${process.platform}/other-arch/node/addon.node`);
    file('node_modules/zeromq/node_modules/nested/index.js');
    mkdirSync(join(root, 'node_modules/zeromq/bin'));
    symlinkSync('../lib/cli.js', join(root, 'node_modules/zeromq/bin/cli'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const dests = () => appEntries(root, lock, ['apps/sdnode']).entries.map((e) => e.dest).sort();

  it('ships the built JavaScript of the workspace, not its sources, types or build info', () => {
    const d = dests();
    expect(d).toContain('/app/apps/sdnode/dist/main.js');
    expect(d).toContain('/app/apps/sdnode/package.json');
    expect(d.filter((p) => p.startsWith('/app/apps/sdnode/') && !/main\.js|package\.json/.test(p))).toEqual([]);
  });

  it('ships the data directories a workspace publishes (package.json files), not its documents', () => {
    file('apps/sdnode/package.json', JSON.stringify({ files: ['dist', 'schema', 'README.md'] }));
    file('apps/sdnode/schema/cluster.schema.json', '{}');
    file('apps/sdnode/README.md');
    const d = dests();
    expect(d).toContain('/app/apps/sdnode/schema/cluster.schema.json');
    expect(d).not.toContain('/app/apps/sdnode/README.md');
  });

  it("keeps only this machine's zeromq prebuilds, and the loader's manifest", () => {
    const zmq = dests().filter((p) => p.includes('/zeromq/build/'));
    expect(zmq).toEqual([
      '/app/node_modules/zeromq/build/manifest.json',
      `/app/node_modules/zeromq/build/${process.platform}/${process.arch}/node/addon.node`,
    ].sort());
  });

  it('keeps symlinks inside packages as symlinks and leaves nested node_modules to the lockfile', () => {
    const entries = appEntries(root, lock, ['apps/sdnode']).entries;
    expect(entries.find((e) => e.dest === '/app/node_modules/zeromq/bin/cli')).toMatchObject({
      kind: 'symlink',
      target: '../lib/cli.js',
    });
    expect(dests().some((p) => p.includes('/nested/'))).toBe(false);
  });

  it('refuses a workspace that was not built', () => {
    rmSync(join(root, 'apps/sdnode/dist'), { recursive: true });
    expect(() => appEntries(root, lock, ['apps/sdnode'])).toThrow(ImageInputError);
  });
});
