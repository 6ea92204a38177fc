/**
 * Parsing the text of a configuration file into data while keeping the source positions, so
 * every problem found later (by the schema or the semantic checks, both of which speak in document
 * paths) can name its line and column.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { ConfigProblem } from './errors.js';

export type PathSegment = string | number;

/** A problem found in the data, located by its path; `at: 'key'` points at a mapping key rather than its value. */
export interface PathProblem {
  readonly path: readonly PathSegment[];
  readonly at?: 'value' | 'key';
  readonly message: string;
}

export type SourceFormat = 'yaml' | 'json';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Parsed configuration text: the data, the syntax problems, and a way back from paths to positions. */
export interface SourceDocument {
  readonly file: string;
  readonly data: unknown;
  /** Syntax problems (already located). When there are any, `data` is not meant to be validated. */
  readonly syntaxProblems: readonly ConfigProblem[];
  /** The position of the value (or key) at `path`, or of its closest existing ancestor. */
  position(path: readonly PathSegment[], at?: 'value' | 'key'): Position | undefined;
}

/** `.json` files are JSON, everything else YAML (JSON is a subset of YAML 1.2 anyway). */
export function formatOf(file: string): SourceFormat {
  return /\.json$/i.test(file) ? 'json' : 'yaml';
}

export function parseSource(text: string, file: string, format: SourceFormat): SourceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const toPosition = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // A .json file must be JSON (YAML would accept trailing commas and comments); JSON's own
  // message is the clearer one. YAML's parser still runs: it knows positions and duplicate keys.
  const notJson = format === 'json' ? strictJsonProblem(text, file, toPosition) : undefined;
  const syntaxProblems: ConfigProblem[] = notJson
    ? [notJson]
    : [...doc.errors, ...doc.warnings].map((e) => ({
        file,
        ...toPosition(e.pos[0]),
        path: '',
        message: syntaxMessage(e.code, e.message),
      }));
  let data: unknown = null;
  if (syntaxProblems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      syntaxProblems.push({ file, line: 1, column: 1, path: '', message: (error as Error).message });
    }
  }
  return {
    file,
    data,
    syntaxProblems,
    position: (path, at = 'value') => {
      const offset = offsetOf(doc, path, at);
      return offset === undefined ? undefined : toPosition(offset);
    },
  };
}

/** An in-memory document (no text): problems carry the path only. */
export function objectSource(data: unknown, file: string): SourceDocument {
  return { file, data, syntaxProblems: [], position: () => undefined };
}

/** Attach file, line and column to path problems; sorted by position, duplicates removed. */
export function locateProblems(source: SourceDocument, problems: readonly PathProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  const located: ConfigProblem[] = [];
  for (const p of problems) {
    const pos = source.position(p.path, p.at);
    const problem: ConfigProblem = {
      file: source.file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      path: formatPath(p.path),
      message: p.message,
    };
    const key = `${problem.line}:${problem.column}:${problem.path}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    located.push(problem);
  }
  return located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** `nodes[1].attributes.role`; keys that are not identifiers are quoted: `sgroups["my group"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function offsetOf(doc: Document, path: readonly PathSegment[], at: 'value' | 'key'): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as PathSegment;
    if (isAlias(node)) node = node.resolve(doc);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(seg));
      if (!pair) return offset;
      const keyStart = rangeStart(pair.key);
      if (last && at === 'key') return keyStart ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: readonly number[] } | null | undefined)?.range;
  return range?.[0];
}

function syntaxMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: a mapping may name each key once';
  return `syntax error: ${message.replace(/\s+/g, ' ').trim()}`;
}

/** YAML accepts a few things JSON does not (trailing commas, comments); a .json file must be JSON. */
function strictJsonProblem(
  text: string,
  file: string,
  toPosition: (offset: number) => Position,
): ConfigProblem | undefined {
  const error = jsonError(text);
  if (error === undefined) return undefined;
  const at = /at position (\d+)/.exec(error);
  const offset = at ? Number(at[1]) : firstBadOffset(text);
  // The text may hold the cookie: never echo it (V8 quotes the input in some messages).
  const short = error.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*$/s, '');
  return { file, ...toPosition(offset), path: '', message: `not valid JSON: ${short}` };
}

function jsonError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Where JSON text first goes wrong, for the messages that give no position: the shortest prefix
 * that is not the start of some valid JSON text ends at the culprit (binary search).
 */
function firstBadOffset(text: string): number {
  const fine = (k: number): boolean => {
    const error = jsonError(text.slice(0, k));
    if (error === undefined || error.startsWith('Unexpected end of JSON input')) return true;
    const at = /at position (\d+)/.exec(error);
    return at !== null && Number(at[1]) >= k;
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fine(mid + 1)) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, Math.max(0, text.length - 1));
}
