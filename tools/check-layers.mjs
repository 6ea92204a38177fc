#!/usr/bin/env node
// Enforces the layer direction of DESIGN.md section 2 over every Nx project (libs/*, apps/*):
// reads each project's tags from project.json and every import in its src/ and fails on an
// import that goes against the layers. Run by `npm test` (npm run check:layers).
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLayerViolations } from './layers/layer-rules.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' || entry === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(entry) ? [path] : [];
  });
}

const projects = [];
for (const group of ['libs', 'apps']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const dir of readdirSync(base)) {
    const projectFile = join(base, dir, 'project.json');
    if (!existsSync(projectFile)) continue;
    const project = JSON.parse(readFileSync(projectFile, 'utf8'));
    const imports = [];
    for (const file of sourceFiles(join(base, dir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) imports.push({ from: relative(root, file), spec: m[1] ?? m[2] });
    }
    projects.push({ name: project.name, tags: project.tags ?? [], imports });
  }
}

const violations = findLayerViolations(projects);
if (violations.length > 0) {
  console.error(`Layer check failed (${violations.length}):\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log(`Layer check: ${projects.length} projects, ${projects.reduce((n, p) => n + p.imports.length, 0)} imports, direction respected.`);
