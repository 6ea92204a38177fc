/**
 * Loading a cluster configuration: text (YAML or JSON) -> syntax check -> schema check ->
 * semantic checks -> normalised ClusterConfig (every default filled in, node references resolved
 * to full names, durations in milliseconds, the cookie file path absolute). Every problem of a
 * stage is reported at once, each with file, line and column.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CONFIG_DEFAULTS, type ClusterConfig, type CookieSource } from './cluster-config.js';
import { normaliseCurve, secretSourceOf } from './curve-settings.js';
import { ConfigFileUnreadableError, ConfigInvalidError, type ConfigProblem } from './errors.js';
import { resolveNodes } from './node-resolution.js';
import { normalisePlacement } from './placement-policy.js';
import { NodeDirectory, resolveApplications, resolveSgroups } from './references.js';
import { normaliseRegistrySettings } from './registry-settings.js';
import { createSchemaValidator, type SchemaValidator } from './schema-validation.js';
import { formatOf, locateProblems, objectSource, parseSource, type PathProblem, type SourceDocument, type SourceFormat } from './source-document.js';
import { asArray, asObject, asString, parseDuration } from './values.js';

export interface ParseOptions {
  /** Named in every problem (default `<input>`); its extension picks the format. */
  readonly file?: string;
  /** Default: `json` for a `.json` file, else `yaml`. */
  readonly format?: SourceFormat;
  /** Where a relative cookie file is looked up (default: the file's directory, else the working directory). */
  readonly baseDir?: string;
}

export type CheckResult =
  | { readonly ok: true; readonly config: ClusterConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Holds one compiled schema validator; reuse it to check many files. Syntax errors are reported
 * alone (a broken tree would only produce confusing follow-up errors); otherwise the schema's
 * and the semantic problems are reported together.
 */
export class ClusterConfigLoader {
  private readonly validate: SchemaValidator;

  constructor(schema?: Record<string, unknown>) {
    this.validate = createSchemaValidator(schema);
  }

  /** Check configuration text; never throws for a bad configuration. */
  check(text: string, options: ParseOptions = {}): CheckResult {
    const file = options.file ?? '<input>';
    const source = parseSource(text, file, options.format ?? formatOf(file));
    return this.checkSource(source, baseDirOf(options));
  }

  /** Check a document already in memory (e.g. built by code); problems carry paths, not lines. */
  checkDocument(document: unknown, options: ParseOptions = {}): CheckResult {
    return this.checkSource(objectSource(document, options.file ?? '<object>'), baseDirOf(options));
  }

  /** The normalised configuration of `text`; throws ConfigInvalidError listing every problem. */
  parse(text: string, options: ParseOptions = {}): ClusterConfig {
    return unwrap(this.check(text, options), options.file ?? '<input>');
  }

  /** The normalised configuration of an in-memory document (also of a `toClusterDocument` result). */
  normalise(document: unknown, options: ParseOptions = {}): ClusterConfig {
    return unwrap(this.checkDocument(document, options), options.file ?? '<object>');
  }

  /** Read and parse a file; throws ConfigFileUnreadableError or ConfigInvalidError. */
  async load(file: string, options: Omit<ParseOptions, 'file'> = {}): Promise<ClusterConfig> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigFileUnreadableError(file, error);
    }
    return this.parse(text, { ...options, file });
  }

  private checkSource(source: SourceDocument, baseDir: string): CheckResult {
    if (source.syntaxProblems.length > 0) return { ok: false, problems: source.syntaxProblems };
    const schemaProblems = this.validate(source.data);
    const { config, problems } = normaliseDocument(source.data, { baseDir });
    const all = locateProblems(source, [...schemaProblems, ...problems]);
    return all.length === 0 ? { ok: true, config } : { ok: false, problems: all };
  }
}

/** Parse configuration text (see ClusterConfigLoader.parse). */
export function parseClusterConfig(text: string, options: ParseOptions = {}): ClusterConfig {
  return new ClusterConfigLoader().parse(text, options);
}

/** Read and parse a configuration file (see ClusterConfigLoader.load). */
export function loadClusterConfig(file: string, options: Omit<ParseOptions, 'file'> = {}): Promise<ClusterConfig> {
  return new ClusterConfigLoader().load(file, options);
}

/** Normalise an in-memory document (see ClusterConfigLoader.normalise). */
export function normaliseClusterConfig(document: unknown, options: ParseOptions = {}): ClusterConfig {
  return new ClusterConfigLoader().normalise(document, options);
}

function baseDirOf(options: ParseOptions): string {
  if (options.baseDir !== undefined) return options.baseDir;
  return options.file !== undefined && !options.file.startsWith('<') ? dirname(options.file) : process.cwd();
}

function unwrap(result: CheckResult, file: string): ClusterConfig {
  if (!result.ok) throw new ConfigInvalidError(file, result.problems);
  return result.config;
}

// Normalisation. It runs on documents that failed the schema too (reading wrong shapes as
// absent), so that the semantic problems are reported together with the schema's.

interface NormaliseOptions {
  /** Directory a relative cookie file is resolved against (the config file's directory). */
  readonly baseDir: string;
}

interface NormaliseResult {
  /** Built even when there are problems; only meaningful when there are none. */
  readonly config: ClusterConfig;
  /** The semantic problems (the schema's are found separately). */
  readonly problems: PathProblem[];
}

function normaliseDocument(data: unknown, options: NormaliseOptions): NormaliseResult {
  const root = asObject(data) ?? {};
  const problems: PathProblem[] = [];

  const netTickTime = parseDuration(root['netTickTime']) ?? CONFIG_DEFAULTS.netTickTime;
  if (netTickTime === 0) problems.push({ path: ['netTickTime'], message: 'the net tick time must be greater than zero' });
  const maxUnresponsive = parseDuration(root['maxUnresponsive']);
  if (maxUnresponsive === 0) problems.push({ path: ['maxUnresponsive'], message: 'the liveness bound must be greater than zero (leave it out to turn the side-channel off)' });

  const levels = (asArray(root['locationLevels']) ?? []).filter((l): l is string => typeof l === 'string');
  const locationLevels = levels.length > 0 ? levels : [...CONFIG_DEFAULTS.locationLevels];

  const nodes = resolveNodes(root, locationLevels, problems);
  const curve = normaliseCurve(root, options.baseDir, problems);
  const directory = new NodeDirectory(nodes);
  const config: ClusterConfig = {
    version: CONFIG_DEFAULTS.version,
    cookie: cookieOf(root['cookie'], options.baseDir),
    netTickTime,
    ...(maxUnresponsive === undefined ? {} : { maxUnresponsive }),
    ...(curve === undefined ? {} : { curve }),
    locationLevels,
    nodes,
    sgroups: resolveSgroups(root, directory, problems),
    placement: normalisePlacement(root['placement'], locationLevels, problems),
    applications: resolveApplications(root, directory, problems),
    registry: normaliseRegistrySettings(root['registry'], ['registry'], problems),
  };
  return { config, problems };
}

function cookieOf(value: unknown, baseDir: string): CookieSource {
  return secretSourceOf(value, baseDir) ?? { kind: 'env', name: CONFIG_DEFAULTS.cookieEnv };
}
