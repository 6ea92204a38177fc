// Unknown fields in Kubernetes manifests. The OpenAPI schemas kubernetes-models validates against
// allow any extra field (as the API server's non-strict decoding does), so `readinesProbe:` or
// `servicename:` would pass them and be dropped at apply time. The field names of every object
// are in kubernetes-models' type declarations (one interface per object, `"field"?: Type;`):
// this walks a manifest along them and reports every field its object does not have.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

interface ObjectFields {
  /** Field name -> its type, as declared (`IIoK8s...`, `Array<IIoK8s...>`, a primitive, a map). */
  readonly fields: ReadonlyMap<string, string>;
  /** Type name -> the declaration file of that object type. */
  readonly imports: ReadonlyMap<string, string>;
}

const require = createRequire(import.meta.url);
const MODELS_DIR = dirname(require.resolve('kubernetes-models/package.json'));

/** Where an import of a declaration file points: relative to the file, or in an installed package (its exports hide .d.ts paths). */
function resolveImport(from: string, spec: string): string {
  const path = spec.replace(/\.js$/, '');
  if (path.startsWith('.')) return `${resolve(dirname(from), path)}.d.ts`;
  const candidates = [resolve(MODELS_DIR, 'node_modules', path), resolve(MODELS_DIR, '..', path)].map((p) => `${p}.d.ts`);
  return candidates.find((c) => existsSync(c)) ?? (candidates[1] as string);
}

/** The fields of the object a declaration file declares (its first exported interface), cached in `cache`. */
function objectFields(file: string, cache: Map<string, ObjectFields>): ObjectFields {
  const known = cache.get(file);
  if (known !== undefined) return known;
  if (!existsSync(file)) throw new Error(`kubernetes-models has no declaration ${file}`);
  const text = readFileSync(file, 'utf8');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1]!, resolveImport(file, m[2]!));
  const body = /^export interface I\w+(?: extends [\w, ]+)? \{\n([\s\S]*?)\n\}/m.exec(text)?.[1] ?? '';
  const fields = new Map<string, string>();
  for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (.+?);?$/gm)) fields.set(m[1]!, m[2]!);
  const parsed = { fields, imports };
  cache.set(file, parsed);
  return parsed;
}

function walk(value: unknown, file: string, path: string, cache: Map<string, ObjectFields>, problems: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const { fields, imports } = objectFields(file, cache);
  for (const [key, child] of Object.entries(value)) {
    const type = fields.get(key);
    if (type === undefined) {
      problems.push(`${path}.${key}: unknown field (${[...fields.keys()].join(', ')})`);
      continue;
    }
    const single = /^(I\w+)$/.exec(type)?.[1];
    const element = /^Array<(I\w+)>$/.exec(type)?.[1];
    const target = imports.get(single ?? element ?? '');
    if (target === undefined) continue; // a primitive, a map, a union, IntOrString, Quantity: no fields to check
    if (single !== undefined) walk(child, target, `${path}.${key}`, cache, problems);
    else if (Array.isArray(child)) child.forEach((item, i) => walk(item, target, `${path}.${key}[${i}]`, cache, problems));
  }
}

/** Every field of `doc` (a manifest of `apiVersion` and `kind`) that its object type does not have. */
export function unknownFields(doc: Record<string, unknown>, where: string, cache: Map<string, ObjectFields> = new Map()): string[] {
  const file = resolve(MODELS_DIR, String(doc['apiVersion']), `${String(doc['kind'])}.d.ts`);
  const problems: string[] = [];
  walk(doc, file, where, cache, problems);
  return problems;
}
