import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@sdnode/wire';
import { loadUserModule } from './user-module.js';

describe('the user module of sdnode start --module', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sdnode-user-module-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('may export setup, which gets the node\'s services (the placement test module keeps them for its functions)', async () => {
    const mod = await loadUserModule(fileURLToPath(new URL('./fixtures/placement-node.mjs', import.meta.url)));
    expect(typeof mod.setup).toBe('function');
    expect(Object.keys(mod.functions).sort()).toEqual(['placement.test.child', 'placement.test.supervise']);
    const none = join(dir, 'none.mjs');
    writeFileSync(none, 'export const types = [];\n');
    expect((await loadUserModule(none)).setup).toBeUndefined();
  });

  it('rejects a setup that is not a function, naming the module', async () => {
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, 'export const setup = 1;\n');
    await expect(loadUserModule(bad)).rejects.toThrow(InvalidArgumentError);
    await expect(loadUserModule(bad)).rejects.toThrow(/bad\.mjs: "setup" must be a function/);
  });
});
