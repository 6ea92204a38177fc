import { fork, type ChildProcess } from 'node:child_process';
import { NodeExitedError, TimeoutError } from '@sdnode/wire';
import type { WorkerMessage, WorkerReply, WorkerRequest } from './protocol.js';

type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** What the harness hears about one node of a worker. */
export interface NodeListener {
  line(line: string): void;
  ended(status: string): void;
}

/** An error the worker answered with, rebuilt with its name and code for the caller. */
export class WorkerRequestError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = errorName;
  }
}

/**
 * The harness's side of one multi-mode worker process (multi-worker.ts): started with
 * child_process.fork, it answers requests over the IPC channel and reports every line and the
 * end of each of its nodes. When the worker process ends, every node still running in it ends
 * too (with the worker's exit status and last output). It exits by itself when the channel
 * closes, so it never outlives the test process.
 */
export class WorkerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners = new Map<string, NodeListener>();
  private output = '';
  private exitStatus: string | undefined;
  readonly exited: Promise<string>;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly label: string,
    exited: Promise<string>,
  ) {
    this.exited = exited;
  }

  static start(script: string, nodeArgs: readonly string[], label: string, timeoutMs: number): Promise<WorkerProcess> {
    const child = fork(script, [], {
      execArgv: [...nodeArgs],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      env: { ...process.env },
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(`could not be started: ${error.message}`));
      child.once('exit', (code, signal) => resolve(signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`));
    });
    return new Promise<WorkerProcess>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new TimeoutError(`starting the multi-mode worker ${label}`, timeoutMs, { output }));
      }, timeoutMs);
      const onMessage = (message: WorkerMessage): void => {
        if (message.t !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        const worker = new WorkerProcess(child, message.pid, label, exited);
        worker.output = output;
        child.stdout!.off('data', keep);
        child.stderr!.off('data', keep);
        worker.follow();
        resolve(worker);
      };
      child.on('message', onMessage);
      void exited.then((status) => {
        clearTimeout(timer);
        reject(new NodeExitedError(label, `${status} before it was ready; last output:\n${output}`));
      });
    });
  }

  private follow(): void {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.child.on('message', (message: WorkerMessage) => this.onMessage(message));
    void this.exited.then((status) => {
      this.exitStatus = status;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new NodeExitedError(this.label, `${status}; last output:\n${this.tail()}`));
        this.pending.delete(id);
      }
      for (const [name, listener] of [...this.listeners]) {
        const tail = this.tail();
        if (tail !== '') listener.line(`[worker ${this.label} output] ${tail.replace(/\n/g, ' | ')}`);
        listener.ended(`its worker process (os pid ${this.pid}) ${status}`);
        this.listeners.delete(name);
      }
    });
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.t) {
      case 'reply':
        this.settle(message);
        return;
      case 'line':
        this.listeners.get(message.node)?.line(message.line);
        return;
      case 'ended': {
        const listener = this.listeners.get(message.node);
        this.listeners.delete(message.node);
        listener?.ended(message.status);
        return;
      }
      case 'ready':
        return;
    }
  }

  private settle(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new WorkerRequestError(reply.error.name, reply.error.message, reply.error.code));
  }

  /** The worker's last output (stdout and stderr), trimmed. */
  tail(): string {
    return this.output.trim();
  }

  get isExited(): boolean {
    return this.exitStatus !== undefined;
  }

  /** Hear the lines and the end of a node (before asking the worker to start it). */
  listen(node: string, listener: NodeListener): void {
    this.listeners.set(node, listener);
  }

  unlisten(node: string): void {
    this.listeners.delete(node);
  }

  request<T>(body: RequestBody, timeoutMs: number): Promise<T> {
    if (this.exitStatus !== undefined) return Promise.reject(new NodeExitedError(this.label, this.exitStatus));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`${this.label}: ${body.op}${'name' in body ? ` ${body.name}` : ''}`, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ ...body, id } as WorkerRequest, (error) => {
        if (error === null || error === undefined) return;
        const p = this.pending.get(id);
        if (p === undefined) return;
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new NodeExitedError(this.label, `cannot reach it: ${error.message}`));
      });
    });
  }

  /** Let the worker go (it exits when its channel closes); SIGKILL after `timeoutMs`. Resolves once it exited. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.exitStatus !== undefined) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
