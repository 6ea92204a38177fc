// docker-compose (v1, Debian's python docker-compose) driven from a test: a project of its own,
// commands with deadlines, the services' containers, logs and IP addresses, and `down -v`.
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { e2eRequired } from './env.js';

/** Is `docker-compose` installed and answering? */
export type ComposeStatus = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string };

export function probeCompose(): ComposeStatus {
  const r = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error !== undefined) return { ok: false, reason: `docker-compose is not installed (${r.error.message})` };
  if (r.status !== 0) return { ok: false, reason: `docker-compose version failed: ${(r.stderr || r.stdout).trim()}` };
  return { ok: true, version: r.stdout.trim() };
}

/** The hint printed with a missing docker-compose. */
export const COMPOSE_HINT = 'install Debian\'s docker-compose (as root: bash tools/ci/ensure-docker.sh, or apt-get install docker-compose)';

/** Thrown (fails the test) when docker-compose is missing and the container suite is required. */
export class ComposeUnavailableError extends Error {
  constructor(reason: string) {
    super(`the compose e2e test is required (CI=true or SDNODE_E2E=required) but cannot run: ${reason}; ${COMPOSE_HINT}`);
    this.name = 'ComposeUnavailableError';
  }
}

/** A docker-compose command that failed or outlived its deadline. */
export class ComposeCommandError extends Error {
  constructor(
    readonly command: string,
    readonly detail: string,
  ) {
    super(`${command} failed: ${detail}`);
    this.name = 'ComposeCommandError';
  }
}

/** Whether this run must run the compose test (the suite is required), for the skip/fail decision. */
export function composeRequired(): boolean {
  return e2eRequired();
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command to completion without a shell; kills it at the deadline. */
export function run(command: string, args: readonly string[], { timeoutMs, env }: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ComposeCommandError(`${command} ${args.join(' ')}`, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new ComposeCommandError(`${command} ${args.join(' ')}`, error.message));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The prefix of this suite's compose projects: `sdnode-deploy-<pid of the test run>-<random>`. */
export const PROJECT_PREFIX = 'sdnode-deploy-';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Remove the containers and networks of compose projects left by test runs that were killed
 * (their pid, in the project name, is gone); returns how many projects were removed.
 */
export async function sweepDeadProjects(): Promise<number> {
  const listed = await run('docker', ['ps', '-a', '--filter', 'label=com.docker.compose.project', '--format', '{{.ID}} {{.Label "com.docker.compose.project"}}'], { timeoutMs: 30_000 });
  const dead = new Map<string, string[]>();
  for (const line of listed.stdout.split('\n').filter(Boolean)) {
    const [id, project] = line.split(' ') as [string, string | undefined];
    const pid = Number(/^sdnode-deploy-(\d+)-/.exec(project ?? '')?.[1]);
    if (!Number.isInteger(pid) || alive(pid)) continue;
    dead.set(project!, [...(dead.get(project!) ?? []), id]);
  }
  for (const [project, ids] of dead) {
    await run('docker', ['rm', '-f', '-v', ...ids], { timeoutMs: 60_000 });
    await run('docker', ['network', 'rm', `${project}_default`], { timeoutMs: 30_000 });
  }
  return dead.size;
}

/** One compose project: the file, its own project name and env file, the commands a test needs. */
export class ComposeProject {
  constructor(
    readonly file: string,
    readonly project: string,
    readonly envFile: string,
  ) {}

  private args(rest: readonly string[]): string[] {
    return ['--ansi', 'never', '--env-file', this.envFile, '-f', this.file, '-p', this.project, ...rest];
  }

  /** `docker-compose ... ARGS`; returns stdout, or throws ComposeCommandError with its output. */
  async compose(rest: readonly string[], timeoutMs = 120_000): Promise<string> {
    const r = await run('docker-compose', this.args(rest), { timeoutMs });
    if (r.code !== 0) throw new ComposeCommandError(`docker-compose ${rest.join(' ')}`, `exit ${String(r.code)}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** `docker-compose exec -T SERVICE ARGS` (the command, not a shell: the node image has none). */
  exec(service: string, command: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
    return run('docker-compose', this.args(['exec', '-T', service, ...command]), { timeoutMs });
  }

  async containerId(service: string): Promise<string> {
    const id = (await this.compose(['ps', '-q', service])).trim();
    if (id === '') throw new ComposeCommandError(`docker-compose ps -q ${service}`, 'no container');
    return id;
  }

  /** The IP address of a service's container on the project's default network. */
  async ip(service: string): Promise<string> {
    const r = await run('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', await this.containerId(service)], { timeoutMs: 30_000 });
    const ip = r.stdout.trim();
    if (r.code !== 0 || ip === '') throw new ComposeCommandError(`docker inspect ${service}`, r.stderr.trim() || 'no IP address');
    return ip;
  }

  /** The gateway of the project's default network: the host's address there, which every container reaches. */
  async gateway(): Promise<string> {
    const network = `${this.project.replace(/[^a-z0-9_-]/g, '')}_default`;
    const r = await run('docker', ['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Gateway}}{{end}}', network], { timeoutMs: 30_000 });
    const gateway = r.stdout.trim();
    if (r.code !== 0 || gateway === '') throw new ComposeCommandError(`docker network inspect ${network}`, r.stderr.trim() || 'no gateway');
    return gateway;
  }

  /** `healthy`, `starting`, `unhealthy`, or `none` without a health check. */
  async health(service: string): Promise<string> {
    const r = await run('docker', ['inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', await this.containerId(service)], { timeoutMs: 30_000 });
    return r.stdout.trim();
  }

  /** The JSON event lines a service's node printed (`sdnode start --json`), parsed. */
  async events(service: string): Promise<Record<string, unknown>[]> {
    const out = await this.compose(['logs', '--no-color', service], 60_000);
    const events: Record<string, unknown>[] = [];
    for (const line of out.split('\n')) {
      const json = line.slice(line.indexOf('|') + 1).trim();
      if (!json.startsWith('{')) continue;
      try {
        events.push(JSON.parse(json) as Record<string, unknown>);
      } catch {
        // a line that is not an event
      }
    }
    return events;
  }

  /** Every service's last log lines (printed when a test fails). */
  async logs(tail = 200): Promise<string> {
    const r = await run('docker-compose', this.args(['logs', '--no-color', '--tail', String(tail)]), { timeoutMs: 60_000 });
    return `${r.stdout}${r.stderr}`;
  }

  /** `down -v`: containers, networks and volumes of the project. */
  async down(): Promise<void> {
    await this.compose(['down', '-v', '--remove-orphans', '-t', '2'], 180_000);
  }
}
