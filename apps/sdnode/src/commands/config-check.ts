import {
  ClusterConfigLoader,
  ConfigFileUnreadableError,
  ConfigInvalidError,
  CookieUnavailableError,
  CurveKeyUnavailableError,
  describeCookieSource,
  resolveCurveKeys,
  formatProblem,
  resolveCookie,
  stringifyClusterConfig,
  type ClusterConfig,
} from '@sdnode/config';

export interface ConfigCheckFlags {
  readonly json: boolean;
}

/**
 * `sdnode config check FILE`: exit 0 and the normalised cluster when the file is valid; exit 1
 * and every problem as `file:line:col: path: message` (stderr; with --json, a JSON report on
 * stdout) when it is not. A literal cookie is never printed; a cookie from the environment or a
 * file is looked up, and the report says whether it is available here (so are the keys of `curve`).
 */
export async function configCheckCommand(
  file: string,
  flags: ConfigCheckFlags,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let config: ClusterConfig;
  try {
    config = await new ClusterConfigLoader().load(file);
  } catch (error) {
    if (!(error instanceof ConfigInvalidError || error instanceof ConfigFileUnreadableError)) throw error;
    const problems = error instanceof ConfigInvalidError ? error.problems : [{ file, path: '', message: error.message }];
    if (flags.json) out.write(`${JSON.stringify({ file, valid: false, problems }, null, 2)}\n`);
    else for (const p of problems) err.write(`${error instanceof ConfigInvalidError ? formatProblem(p) : p.message}\n`);
    return 1;
  }

  const cookie = cookieAvailability(config, env);
  const curve = curveAvailability(config, env);
  if (flags.json) {
    const shown = { ...config, cookie: config.cookie.kind === 'literal' ? { kind: 'literal' } : config.cookie };
    const curveReport = curve === null ? {} : { curveAvailable: curve === undefined };
    out.write(`${JSON.stringify({ file, valid: true, cookieAvailable: cookie === undefined, ...curveReport, config: shown }, null, 2)}\n`);
    return 0;
  }
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const where = describeCookieSource(config.cookie);
  out.write(
    `# ${file}: valid (${count(config.nodes.length, 'node')}, ${count(Object.keys(config.sgroups).length, 's_group')}, ` +
      `${count(config.applications.length, 'application')})\n` +
      `# cookie: ${where}${config.cookie.kind === 'literal' ? ' (not shown)' : cookie === undefined ? ' (available here)' : ` (not available here: ${cookie})`}\n` +
      (curve === null ? '' : `# curve: CurveZMQ on, ${curve === undefined ? 'both keys available here' : `not available here: ${curve}`}\n`) +
      stringifyClusterConfig(config, { omitCookie: true }),
  );
  return 0;
}

/** null without a `curve` section; else why its keys cannot be had here, or undefined when they can (never the keys). */
function curveAvailability(config: ClusterConfig, env: NodeJS.ProcessEnv): string | undefined | null {
  if (config.curve === undefined) return null;
  try {
    resolveCurveKeys(config.curve, { env });
    return undefined;
  } catch (error) {
    if (error instanceof CurveKeyUnavailableError) return error.message;
    throw error;
  }
}

/** Why the cookie cannot be had here, or undefined when it can. */
function cookieAvailability(config: ClusterConfig, env: NodeJS.ProcessEnv): string | undefined {
  try {
    resolveCookie(config.cookie, { env });
    return undefined;
  } catch (error) {
    if (error instanceof CookieUnavailableError) return error.reason;
    throw error;
  }
}
