import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { AbortedError, InvalidArgumentError, NodeStoppedError, TimeoutError, WorkerTaskError } from '@sdnode/wire';

/**
 * A pool of worker threads for CPU-heavy functions.
 *
 * Why: JavaScript cannot preempt. A handler that computes for 2 s blocks every process of the
 * node for 2 s, and also the transport's ticks, so peers may declare the node down. Run such work
 * with `node.workers.run(moduleUrl, exportName, args)`: the function runs in another thread and
 * the process awaits the result (its handler returns a Promise; messages wait in order).
 *
 * The function is loaded in the worker with `import(moduleUrl)` (a file: or data: URL of an ES
 * module that Node.js can load as is, i.e. JavaScript); arguments and result are copied with the
 * structured clone algorithm. On timeout or abort the worker is terminated (the only way to stop
 * running JavaScript) and replaced on demand.
 */
export interface WorkerPoolOptions {
  /** Number of worker threads (default: available parallelism - 1, at least 1). Started on demand. */
  readonly size?: number;
  /** Default timeout of a task in ms (default: none). */
  readonly timeout?: number;
}

export interface WorkerRunOptions {
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

interface Task {
  readonly id: number;
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly args: readonly unknown[];
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly timeout: number | undefined;
  readonly signal: AbortSignal | undefined;
  timer: ReturnType<typeof setTimeout> | null;
  onAbort: (() => void) | null;
  slot: Slot | null;
}

interface Slot {
  readonly worker: Worker;
  task: Task | null;
}

// The worker's code: load the module, call the export, post the result or the error.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ id, moduleUrl, exportName, args }) => {
  try {
    const mod = await import(moduleUrl);
    const fn = mod[exportName];
    if (typeof fn !== 'function') throw new TypeError('export "' + exportName + '" of ' + moduleUrl + ' is not a function');
    const value = await fn(...args);
    parentPort.postMessage({ id, ok: true, value });
  } catch (e) {
    const err = e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : { name: 'NonError', message: String(e) };
    parentPort.postMessage({ id, ok: false, error: err });
  }
});
`;

export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private lastId = 0;
  private closed = false;

  constructor(
    private readonly nodeName: string,
    private readonly options: WorkerPoolOptions = {},
  ) {
    const size = options.size ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(size) || size < 1) throw new InvalidArgumentError('workers.size', 'must be a positive integer');
    this.size = size;
  }

  /** Run `exportName` of the module at `moduleUrl` with `args` in a worker thread. */
  run<T = unknown>(moduleUrl: string | URL, exportName: string, args: readonly unknown[] = [], options: WorkerRunOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new NodeStoppedError(this.nodeName));
    if (options.signal?.aborted) return Promise.reject(new AbortedError('workers.run', { exportName }));
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        id: ++this.lastId,
        moduleUrl: String(moduleUrl),
        exportName,
        args,
        resolve: resolve as (v: unknown) => void,
        reject,
        timeout: options.timeout ?? this.options.timeout,
        signal: options.signal,
        timer: null,
        onAbort: null,
        slot: null,
      };
      if (task.timeout !== undefined) {
        const ms = task.timeout;
        task.timer = setTimeout(() => this.cancel(task, new TimeoutError('workers.run', ms, { exportName })), ms);
      }
      if (task.signal !== undefined) {
        task.onAbort = () => this.cancel(task, new AbortedError('workers.run', { exportName }));
        task.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Threads currently started. */
  get threads(): number {
    return this.slots.length;
  }

  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.task !== null).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) this.finish(t, new NodeStoppedError(this.nodeName), false);
    const slots = this.slots.splice(0);
    for (const s of slots) if (s.task !== null) this.finish(s.task, new NodeStoppedError(this.nodeName), false);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === null);
      if (slot === undefined) {
        if (this.slots.length >= this.size) return;
        slot = this.startWorker();
      }
      const task = this.queue.shift()!;
      task.slot = slot;
      slot.task = task;
      try {
        slot.worker.postMessage({ id: task.id, moduleUrl: task.moduleUrl, exportName: task.exportName, args: task.args });
      } catch (e) {
        slot.task = null;
        this.finish(task, e, false);
      }
    }
  }

  private startWorker(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    const slot: Slot = { worker, task: null };
    worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: { name: string; message: string } }) => {
      const task = slot.task;
      if (task === null || task.id !== m.id) return;
      slot.task = null;
      if (m.ok) this.finish(task, m.value, true);
      else this.finish(task, new WorkerTaskError(task.exportName, m.error!), false);
      this.dispatch();
    });
    worker.on('error', (e) => {
      this.drop(slot);
      if (slot.task !== null) this.finish(slot.task, e, false);
      this.dispatch();
    });
    worker.on('exit', () => {
      this.drop(slot);
      if (slot.task !== null) this.finish(slot.task, new Error('worker thread exited'), false);
      this.dispatch();
    });
    this.slots.push(slot);
    return slot;
  }

  private drop(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  /** Timeout or abort: a queued task is removed; a running one takes its worker down with it. */
  private cancel(task: Task, error: Error): void {
    const i = this.queue.indexOf(task);
    if (i >= 0) this.queue.splice(i, 1);
    const slot = task.slot;
    this.finish(task, error, false);
    if (slot !== null && slot.task === task) {
      slot.task = null;
      this.drop(slot);
      void slot.worker.terminate();
      this.dispatch();
    }
  }

  private finish(task: Task, value: unknown, ok: boolean): void {
    if (task.timer !== null) clearTimeout(task.timer);
    task.timer = null;
    if (task.onAbort !== null) task.signal?.removeEventListener('abort', task.onAbort);
    task.onAbort = null;
    const settle = ok ? task.resolve : task.reject;
    (task as { resolve: (v: unknown) => void }).resolve = noop;
    (task as { reject: (e: unknown) => void }).reject = noop;
    settle(value);
  }
}

function noop(): void {}
