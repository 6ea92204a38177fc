import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** One JSON event line printed by `sdnode start --json`. */
export interface NodeEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** The built CLI (apps/sdnode/dist/main.js): tests and the demo run the real thing. */
const CLI = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * A node running as its own OS process (`sdnode start --json`), with its event lines collected
 * so the caller can wait for one with a deadline.
 */
export class NodeProcess {
  readonly events: NodeEvent[] = [];
  /** The last lines the node wrote to stderr (warnings, crashes). */
  readonly stderr: string[] = [];
  private readonly waiters = new Set<() => void>();
  private exited = false;
  private exitStatus: string | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as NodeEvent);
      } catch {
        this.events.push({ event: 'output', line });
      }
      for (const wake of this.waiters) wake();
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 200) this.stderr.shift();
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitStatus = signal ? `killed by ${signal}` : `exited with code ${code}`;
      for (const wake of this.waiters) wake();
    });
  }

  /**
   * Start `sdnode start --json` for `name` on loopback (port from the OS). `extraArgs` are more
   * CLI flags; a later `--tick` or `--listen` overrides the defaults given here.
   */
  static start(name: string, cookie: string, extraArgs: readonly string[] = []): NodeProcess {
    const child = spawn(
      process.execPath,
      [CLI, 'start', '--name', name, '--cookie', cookie, '--listen', 'tcp://127.0.0.1:0', '--json', '--tick', '4s', ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new NodeProcess(name, child);
  }

  /** Everything known about this node, for the report of a failed test. */
  dump(): string {
    const status = this.exited ? this.exitStatus : 'running';
    const events = this.events.map((e) => `    ${JSON.stringify(e)}`).join('\n');
    const errors = this.stderr.slice(-30).map((l) => `    ${l}`).join('\n');
    return `--- ${this.name} (os pid ${this.child.pid}, ${status})\n  events:\n${events || '    (none)'}\n  stderr (tail):\n${errors || '    (none)'}`;
  }

  /** Send a signal without waiting (SIGSTOP/SIGCONT to freeze and thaw, SIGKILL to kill). */
  signal(signal: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(signal);
  }

  get hasExited(): boolean {
    return this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves with the first event (already seen or future) that matches; rejects at the deadline. */
  waitFor(match: (e: NodeEvent) => boolean, timeoutMs: number, what: string): Promise<NodeEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(match);
        if (found) return done(() => resolve(found));
        if (this.exited) return done(() => reject(new Error(`${this.name} exited while waiting for ${what}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  async address(timeoutMs = 10_000): Promise<string> {
    const listening = await this.waitFor((e) => e.event === 'listening', timeoutMs, 'listening line');
    return String(listening['address']);
  }

  kill(): void {
    this.signal('SIGKILL');
  }

  /** Graceful stop (SIGTERM), then SIGKILL if it has not exited within the deadline. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
