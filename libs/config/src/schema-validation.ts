/**
 * Validating a document against the shipped JSON Schema (ajv), and turning ajv's errors into
 * problems that say, in words, what was expected, located by document path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { PathProblem, PathSegment } from './source-document.js';

/** Where the JSON Schema lives (also exported by the package as `@sdnode/config/schema.json`). */
export const clusterSchemaPath: string = fileURLToPath(new URL('../schema/sdnode-cluster.schema.json', import.meta.url));

/** The JSON Schema of the cluster file, freshly read (callers may keep or modify their copy). */
export function clusterSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(clusterSchemaPath, 'utf8')) as Record<string, unknown>;
}

/** A validator: data in, every schema problem out (empty when the data has the right shape). */
export type SchemaValidator = (data: unknown) => PathProblem[];

export function createSchemaValidator(schema: Record<string, unknown> = clusterSchema()): SchemaValidator {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  // VS Code's schema extensions: what to say instead of a bare keyword failure.
  ajv.addVocabulary(['errorMessage', 'patternErrorMessage']);
  const validate: ValidateFunction = ajv.compile(schema);
  return (data) => {
    if (validate(data)) return [];
    return (validate.errors ?? []).flatMap((error) => describeError(error, data));
  };
}

interface SchemaNode {
  readonly errorMessage?: string;
  readonly patternErrorMessage?: string;
  readonly properties?: Record<string, unknown>;
}

function describeError(error: ErrorObject, root: unknown): PathProblem[] {
  const path = toPath(error.instancePath, root);
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const params = error.params as Record<string, unknown>;
  const expected = error.keyword === 'pattern' ? (parent.patternErrorMessage ?? parent.errorMessage) : parent.errorMessage;
  const wanted = (fallback: string) => `expected ${expected ?? fallback}; got ${show(error.data)}`;

  if (error.propertyName !== undefined) {
    // Inside propertyNames: the key itself is wrong.
    if (error.keyword === 'propertyNames') return [];
    return [{ path: [...path, error.propertyName], at: 'key', message: `invalid key ${JSON.stringify(error.propertyName)}: expected ${expected ?? error.message}` }];
  }
  switch (error.keyword) {
    case 'if':
    case 'propertyNames':
      return []; // wrappers: the failing branch reports the reason
    case 'required':
      return [{ path, message: `missing required field "${String(params['missingProperty'])}"` }];
    case 'additionalProperties': {
      const field = String(params['additionalProperty']);
      const known = Object.keys(parent.properties ?? {}).filter((k) => k !== '$schema');
      const guess = closest(field, known);
      return [
        {
          path: [...path, field],
          at: 'key',
          message: `unknown field "${field}"${guess ? ` (did you mean "${guess}"?)` : ''}; expected one of: ${known.join(', ')}`,
        },
      ];
    }
    case 'minItems':
      return [{ path, message: Number(params['limit']) === 1 ? 'must not be empty' : `expected at least ${String(params['limit'])} items` }];
    case 'uniqueItems': {
      const [first, second] = [Number(params['i']), Number(params['j'])].sort((a, b) => a - b) as [number, number];
      const item = Array.isArray(error.data) ? error.data[second] : undefined;
      return [{ path: [...path, second], message: `${show(item)} is listed twice (also at index ${first})` }];
    }
    case 'minProperties':
    case 'maxProperties': {
      const keys = error.data !== null && typeof error.data === 'object' ? Object.keys(error.data) : [];
      return [{ path, message: `expected ${expected ?? error.message}; got a mapping with ${keys.length} field${keys.length === 1 ? '' : 's'}${keys.length ? ` (${keys.join(', ')})` : ''}` }];
    }
    case 'const':
      return [{ path, message: wanted(JSON.stringify(params['allowedValue'])) }];
    default:
      return [{ path, message: wanted(error.message ?? error.keyword) }];
  }
}

/** A JSON pointer to path segments (array indices as numbers). */
function toPath(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(Number(seg));
      node = node[Number(seg)];
    } else {
      out.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** A short description of a value for "got ..." (strings quoted and cut). */
export function show(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

/** The known name closest to a misspelt one (edit distance at most 2), if any. */
function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
