// The packages a user's module imports: bare specifiers (`lodash`, `@scope/pkg/sub`) in the
// module file, or in every JavaScript file under its root directory, so that the node image
// holds them. A scan of the source text, not an evaluation: a package named only in a computed
// `import(name)` is not found (list it in containers.packages).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { extname, join } from 'node:path';

const IMPORT = /(?:^|[^\w$.])(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|(?:^|[^\w$.])(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
const SCRIPT = new Set(['.js', '.mjs', '.cjs']);
const BUILTIN = new Set(builtinModules);
/** Files scanned under a module root at most (a guard against pointing it at a huge tree). */
const MAX_FILES = 2_000;

/** The package name of a bare specifier, or undefined for a relative, absolute, URL or builtin one. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
  if (name === '' || BUILTIN.has(name)) return undefined;
  return name;
}

/** Package names imported by JavaScript source text. */
export function importedPackages(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(IMPORT)) {
    const name = packageOf(m[1] ?? m[2] ?? '');
    if (name !== undefined) names.add(name);
  }
  return [...names].sort();
}

function scriptsUnder(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (out.length >= MAX_FILES) return;
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) scriptsUnder(path, out);
    else if (st.isFile() && SCRIPT.has(extname(name))) out.push(path);
  }
}

/** Package names imported by the module file and, when given, every script under `moduleRoot`. */
export function moduleImports(module: string | undefined, moduleRoot?: string): string[] {
  const files: string[] = [];
  if (moduleRoot !== undefined && existsSync(moduleRoot)) scriptsUnder(moduleRoot, files);
  if (module !== undefined && existsSync(module) && !files.includes(module)) files.push(module);
  const names = new Set<string>();
  for (const file of files) for (const name of importedPackages(readFileSync(file, 'utf8'))) names.add(name);
  return [...names].sort();
}
