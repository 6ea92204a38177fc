import { spawn, type ChildProcess } from 'node:child_process';
import { NodeExitedError, TimeoutError } from '@sdnode/wire';
import type { NodeInstance } from '../backend.js';
import type { NodeLog } from '../logs/node-log.js';

export interface LocalProcessSpec {
  readonly cli: string;
  /** Flags for the Node.js binary itself (e.g. `--import tsx`). */
  readonly nodeArgs: readonly string[];
  /** `sdnode` arguments (`start --name ...`). */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly label: string;
  readonly log: NodeLog;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * One incarnation of a local node: `sdnode start --json` in its own OS process, its stdout and
 * stderr in the node's log. Started, it has printed its `listening` line.
 */
export class LocalProcess implements NodeInstance {
  readonly ended: Promise<string>;

  private constructor(
    private readonly child: ChildProcess,
    readonly dialAddress: string,
    readonly creation: number,
    ended: Promise<string>,
    private readonly isEnded: () => boolean,
  ) {
    this.ended = ended;
  }

  static async start(spec: LocalProcessSpec): Promise<LocalProcess> {
    const { log } = spec;
    log.beginInstance(`starting ${spec.args.join(' ')}`);
    const since = log.events.length;
    const child = spawn(process.execPath, [...spec.nodeArgs, spec.cli, ...spec.args], {
      stdio: ['pipe', 'pipe', 'pipe'], // stdin: the node's lifeline (--stdin-lifeline)
      env: { ...process.env, ...spec.env },
    });
    let ended = false;
    const endedPromise = new Promise<string>((resolve) => {
      child.once('error', (error) => {
        if (ended) return;
        ended = true;
        const status = `could not be started: ${error.message}`;
        log.end(status);
        resolve(status);
      });
      // 'close': the process exited and its output is read to the end.
      child.once('close', (code, signal) => {
        if (ended) return;
        ended = true;
        const status = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`;
        log.end(status);
        resolve(status);
      });
    });
    log.follow(child.stdout!);
    log.follow(child.stderr!);
    try {
      const listening = await log.waitFor((e) => e.event === 'listening', 'its listening line', {
        timeout: spec.timeoutMs,
        since,
        ...(spec.signal !== undefined ? { signal: spec.signal } : {}),
      });
      return new LocalProcess(child, String(listening['address']), Number(listening['creation']), endedPromise, () => ended);
    } catch (error) {
      if (!ended) child.kill('SIGKILL');
      await endedPromise;
      if (error instanceof NodeExitedError) throw new NodeExitedError(spec.label, `${log.status ?? 'ended'} before listening; last output:\n${log.tail(15)}`);
      throw error;
    }
  }

  get advertisedAddress(): string {
    return this.dialAddress;
  }

  get where(): string {
    return `os pid ${String(this.child.pid)}`;
  }

  async kill(timeoutMs: number): Promise<void> {
    if (this.isEnded()) return;
    this.child.kill('SIGKILL');
    await this.endedWithin(timeoutMs, 'SIGKILL');
  }

  async stop(timeoutMs: number): Promise<void> {
    if (this.isEnded()) return;
    this.child.kill('SIGCONT'); // a frozen node cannot handle SIGTERM
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      await this.endedWithin(timeoutMs + 5_000, 'SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  freeze(): Promise<void> {
    if (!this.isEnded()) this.child.kill('SIGSTOP');
    return Promise.resolve();
  }

  thaw(): Promise<void> {
    if (!this.isEnded()) this.child.kill('SIGCONT');
    return Promise.resolve();
  }

  private async endedWithin(timeoutMs: number, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`waiting for ${this.where} to end after ${what}`, timeoutMs)), timeoutMs);
    });
    try {
      await Promise.race([this.ended, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
