import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importedPackages, moduleImports, packageOf } from './module-imports.js';

describe('packageOf', () => {
  it('names the package of a bare specifier, scoped or not, with or without a subpath', () => {
    expect(packageOf('lodash')).toBe('lodash');
    expect(packageOf('lodash/fp')).toBe('lodash');
    expect(packageOf('@sdnode/core')).toBe('@sdnode/core');
    expect(packageOf('@scope/pkg/deep/file.js')).toBe('@scope/pkg');
  });

  it('ignores relative, absolute, URL, subpath-import and builtin specifiers', () => {
    for (const s of ['./x.mjs', '../y.js', '/abs.js', 'file:///a.js', 'node:fs', 'fs', '#internal']) expect(packageOf(s)).toBeUndefined();
  });
});

describe('importedPackages', () => {
  it('finds static imports, re-exports, dynamic imports and require calls', () => {
    const source = [
      "import { defineProcess } from '@sdnode/core';",
      "import * as _ from 'lodash';",
      "import 'side-effect';",
      "export { x } from \"re-exported\";",
      "const m = await import('dynamic-one');",
      "const c = require('cjs-one');",
      "import { readFileSync } from 'node:fs';",
      "import helper from './helper.mjs';",
    ].join('\n');
    expect(importedPackages(source)).toEqual(['@sdnode/core', 'cjs-one', 'dynamic-one', 'lodash', 're-exported', 'side-effect']);
  });
});

describe('moduleImports', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'module-imports-spec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('scans the module file alone, or every script under the module root (not node_modules)', () => {
    writeFileSync(join(dir, 'types.mjs'), "import './lib/helper.mjs';\nimport { z } from 'zod';\n");
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib/helper.mjs'), "import ms from 'ms';\n");
    mkdirSync(join(dir, 'node_modules/x'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/x/index.js'), "import 'never';\n");
    expect(moduleImports(join(dir, 'types.mjs'))).toEqual(['zod']);
    expect(moduleImports(join(dir, 'types.mjs'), dir)).toEqual(['ms', 'zod']);
    expect(moduleImports(undefined)).toEqual([]);
  });
});
