/**
 * The errors of @sdnode/config. The config layer depends on no other sdnode layer, so it has its
 * own base class; every error carries a stable `code` (the same convention as @sdnode/wire's
 * SdnodeError) and one class exists per condition.
 */

/** One thing wrong with a configuration file. */
export interface ConfigProblem {
  /** The file as given to the loader (or `<input>` for text without a file). */
  readonly file: string;
  /** 1-based line and column of the offending value (or key); absent for in-memory documents. */
  readonly line?: number;
  readonly column?: number;
  /** Where in the document, e.g. `nodes[1].port` (empty for the whole document). */
  readonly path: string;
  /** What is wrong and what was expected. */
  readonly message: string;
}

/** `file:line:col: path: message` — the form editors and terminals link to. */
export function formatProblem(problem: ConfigProblem): string {
  const where =
    problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return problem.path === '' ? `${where}: ${problem.message}` : `${where}: ${problem.path}: ${problem.message}`;
}

/** Base class of every @sdnode/config error. */
export abstract class ConfigError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The file is not a valid cluster configuration; `problems` lists every problem found. */
export class ConfigInvalidError extends ConfigError {
  readonly code = 'config_invalid';

  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the cluster configuration\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
  }
}

/** The configuration file could not be read. */
export class ConfigFileUnreadableError extends ConfigError {
  readonly code = 'config_file_unreadable';

  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`cannot read ${file}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** The cookie refers to an environment variable that is not set, or a file that cannot be read or is empty. */
export class CookieUnavailableError extends ConfigError {
  readonly code = 'config_cookie_unavailable';

  constructor(
    readonly source: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`the cookie is not available: ${source} ${reason}`, options);
  }
}

/** A CURVE key of the `curve` section cannot be read (variable unset or empty, file unreadable) or is not a Z85 key. */
export class CurveKeyUnavailableError extends ConfigError {
  readonly code = 'config_curve_key_unavailable';

  constructor(
    readonly source: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${source} ${reason}`, options);
  }
}

/** A node was asked for by name but the configuration has no such node (or the short name is ambiguous). */
export class UnknownNodeError extends ConfigError {
  readonly code = 'config_unknown_node';

  constructor(
    readonly node: string,
    readonly known: readonly string[],
    reason = 'is not in the cluster configuration',
  ) {
    super(`node "${node}" ${reason} (nodes: ${known.join(', ') || 'none'})`);
  }
}
