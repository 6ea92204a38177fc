import { isDownMessage, isExitMessage, type NameRegistration, type ProcessContext, type ProcessType } from '@sdnode/core';
import {
  AbortedError,
  AlreadyRegisteredError,
  ExitReasons,
  InvalidArgumentError,
  NameTakenError,
  NoProcError,
  Pid,
  StartError,
  TimeoutError,
  isExitReason,
  type ExitReason,
} from '@sdnode/wire';
import { isThenable, type MaybePromise } from './async.js';
import { inProcess, requireProcess, type Caller } from './caller.js';
import type { TraceSink } from './debug.js';
import { isAckFrom, type AckMessage, type AckResult } from './messages.js';
import { checkProcessName, formatName, nameInService, serviceOf, type ProcessName, type RegistryName } from './names.js';

/**
 * The start protocol (Erlang's proc_lib start / init_ack): the starter spawns the process with a
 * start marker as its first argument, monitors it, and waits until its init acknowledges (ok or
 * ignore) or the process exits (init returned stop or threw). A behaviour process spawned without
 * the marker (plain `spawn`, `spawnRemote` by type name) runs the same way, unacknowledged.
 */

export const DEFAULT_START_TIMEOUT = 5000;

export interface DebugOptions {
  /** Trace from the first message (a function works for local starts only). */
  readonly trace?: TraceSink;
  readonly statistics?: boolean;
}

export interface StartOptions {
  /** Link the new process to the calling process (needs a process caller; supervisors always link). */
  readonly link?: boolean;
  /**
   * Register under this name before init runs: a local name on the node where it runs, or a name
   * in a name service (`{ global }`, `{ scope, name }`, `{ via, name }`; see names.ts).
   */
  readonly name?: ProcessName;
  /** Start on this node (default: the caller's own). The type must be defined there. */
  readonly node?: string;
  /** Default 5000 ms; a process that has not finished init by then is killed. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  readonly debug?: DebugOptions;
}

/** What a behaviour process learns from its start marker. */
export interface StartInfo {
  readonly starter: Pid;
  /** The parent when linked: an exit signal from it stops the process (when it traps exits). */
  readonly link: boolean;
  readonly name?: ProcessName;
  readonly debug?: DebugOptions;
}

interface StartMarker {
  readonly $otpStart: StartInfo;
}

function isStartMarker(value: unknown): value is StartMarker {
  if (typeof value !== 'object' || value === null) return false;
  const info = (value as { $otpStart?: unknown }).$otpStart;
  return typeof info === 'object' && info !== null && (info as StartInfo).starter instanceof Pid;
}

/** How a start ended: the pid, ignore, or why it failed (an exit reason, or an Error). */
export type StartOutcome =
  | { readonly ok: Pid }
  | { readonly ignore: true }
  | { readonly error: ExitReason | Error };

// ---- the process side ----

/** A behaviour process's start info (null when spawned plainly) and the arguments of its init callback. */
export interface InitStart {
  readonly info: StartInfo | null;
  readonly args: unknown[];
}

/**
 * Split a behaviour process's spawn arguments into its start info and the arguments of its init
 * callback; register the name asked for. A taken name is acknowledged to the starter and the
 * process exits `normal` here (the starter reports NameTakenError). A local name is registered at
 * once; a name in a name service is registered asynchronously (the result is then a promise).
 */
export function beginInit(ctx: ProcessContext, raw: readonly unknown[]): MaybePromise<InitStart> {
  if (raw.length === 0 || !isStartMarker(raw[0])) return { info: null, args: raw as unknown[] };
  const info = raw[0].$otpStart;
  const start: InitStart = { info, args: raw.slice(1) };
  const name = info.name;
  if (name === undefined) return start;
  if (typeof name !== 'string') return registerInService(ctx, info, name).then(() => start);
  const holder = ctx.whereis(name);
  if (holder !== undefined) {
    acknowledge(ctx, info, { nameTaken: name, holder });
    ctx.exit(ExitReasons.normal);
  }
  ctx.register(name);
  return start;
}

/**
 * Register the starting process under `name` in its name service. Any refusal but `taken` (the
 * service is missing or failed, the process already has a name there) fails the start with that
 * error as the exit reason.
 */
async function registerInService(ctx: ProcessContext, info: StartInfo, name: RegistryName): Promise<void> {
  let outcome: NameRegistration | { readonly failed: unknown };
  try {
    outcome = await serviceOf(ctx.node, name).registerName(nameInService(name), ctx.self);
  } catch (e) {
    outcome = { failed: e };
  }
  // Killed while registering (the start timed out, its node stopped): init must not run. (The
  // service drops the name of a dead process by itself.) ctx.exit only unwinds here.
  const me = ctx.node.processInfo(ctx.self);
  if (me === undefined || me.status === 'exiting') ctx.exit(ExitReasons.killed);
  if ('failed' in outcome) return failStart(ctx, info, outcome.failed);
  if (outcome.ok) return;
  switch (outcome.reason) {
    case 'taken':
      acknowledge(ctx, info, { nameTaken: formatName(name), holder: outcome.holder });
      return ctx.exit(ExitReasons.normal);
    case 'already_named':
      return failStart(ctx, info, new AlreadyRegisteredError(ctx.self.toString(), outcome.name));
    default:
      return failStart(ctx, info, new NoProcError(ctx.self.toString(), { name: formatName(name) }));
  }
}

function failStart(ctx: ProcessContext, info: StartInfo, e: unknown): never {
  const reason = ExitReasons.error(e);
  acknowledge(ctx, info, { failed: reason });
  return ctx.exit(reason);
}

/**
 * Run an init step; when it fails (throws, rejects, or exits with ctx.exit), acknowledge the
 * failure with its reason to the starter, then let it propagate (the process exits with it).
 */
export function guardInit<T>(ctx: ProcessContext, info: StartInfo | null, step: () => MaybePromise<T>): MaybePromise<T> {
  if (info === null) return step();
  const fail = (e: unknown): never => {
    acknowledge(ctx, info, { failed: reasonOf(e) });
    throw e;
  };
  let r: MaybePromise<T>;
  try {
    r = step();
  } catch (e) {
    return fail(e);
  }
  return isThenable(r) ? (r as Promise<T>).then(undefined, fail) : r;
}

/** The exit reason a thrown value stands for (ctx.exit throws an object carrying its reason). */
function reasonOf(e: unknown): ExitReason {
  if (!(e instanceof Error) && typeof e === 'object' && e !== null && isExitReason((e as { reason?: unknown }).reason)) {
    return (e as { reason: ExitReason }).reason;
  }
  return ExitReasons.error(e);
}

export function acknowledge(ctx: ProcessContext, info: StartInfo | null, result: AckResult): void {
  if (info === null) return;
  const ack: AckMessage = { $otpAck: ctx.self, result };
  ctx.send(info.starter, ack);
}

/** The parent of a started process (its linked starter), or null. */
export function parentOf(info: StartInfo | null): Pid | null {
  return info !== null && info.link ? info.starter : null;
}

// ---- the starter side ----

/** Start a behaviour process and wait for its init: resolves with its pid, rejects with StartError, NameTakenError, TimeoutError... */
export async function startProcess(caller: Caller, type: ProcessType | string, args: readonly unknown[], options: StartOptions = {}): Promise<Pid> {
  if (options.link === true) requireProcess(caller, 'start with link');
  const outcome = await inProcess(caller, (ctx) => startOutcome(ctx, type, args, options), options);
  if ('ok' in outcome) return outcome.ok;
  const target = options.name !== undefined ? formatName(options.name) : typeof type === 'string' ? type : type.name;
  if ('ignore' in outcome) throw new StartError(target, 'ignore');
  if (outcome.error instanceof Error) throw outcome.error;
  throw new StartError(target, outcome.error);
}

/**
 * The start protocol from a process, never throwing for a failed init (supervisors need the
 * outcome): spawn errors (unknown type, no connection), timeouts and aborts are reported as `error`.
 */
export async function startOutcome(ctx: ProcessContext, type: ProcessType | string, args: readonly unknown[], options: StartOptions = {}): Promise<StartOutcome> {
  const link = options.link === true;
  const timeout = options.timeout ?? DEFAULT_START_TIMEOUT;
  if (!(timeout > 0)) throw new InvalidArgumentError('timeout', `${timeout} must be positive`);
  const remote = options.node !== undefined && options.node !== ctx.node.name;
  if (options.name !== undefined) checkStartName(ctx, checkProcessName(options.name), remote);
  const info: StartInfo = {
    starter: ctx.self,
    link,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.debug !== undefined ? { debug: options.debug } : {}),
  };
  const spawnArgs = [{ $otpStart: info } satisfies StartMarker, ...args];
  let pid: Pid;
  try {
    if (remote) {
      const typeName = typeof type === 'string' ? type : type.name;
      pid = await ctx.spawnRemote(options.node!, typeName, spawnArgs, {
        link,
        timeout,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      });
    } else {
      pid = link ? ctx.spawnLink(type, ...spawnArgs) : ctx.spawn(type, ...spawnArgs);
    }
  } catch (e) {
    return { error: e instanceof Error ? e : ExitReasons.error(e) };
  }
  return awaitInit(ctx, pid, link, timeout, options.signal);
}

/**
 * A name in a name service is checked before spawning: a `via` service (it holds functions)
 * cannot travel to another node; a local start needs the scope's service on this node
 * (InvalidArgumentError naming the scope). A remote start uses the services of its node.
 */
function checkStartName(ctx: ProcessContext, name: ProcessName, remote: boolean): void {
  if (typeof name === 'string') return;
  if (remote) {
    if ('via' in name) throw new InvalidArgumentError('name', `${formatName(name)}: a via name service cannot be sent to another node; use { global } or { scope, name }`);
    return;
  }
  serviceOf(ctx.node, name);
}

type InitAnswer = AckMessage | { readonly down: ExitReason } | { readonly exit: ExitReason };

async function awaitInit(ctx: ProcessContext, pid: Pid, link: boolean, timeout: number, signal: AbortSignal | undefined): Promise<StartOutcome> {
  const mref = ctx.monitor(pid);
  const mkey = mref.key;
  let answer: InitAnswer;
  try {
    answer = await ctx.receive<InitAnswer>(
      (m) => {
        if (isAckFrom(m, pid)) return m;
        if (isDownMessage(m) && m.ref.key === mkey) return { down: m.reason };
        if (link && isExitMessage(m) && m.from.equals(pid)) return { exit: m.reason };
        return undefined;
      },
      { timeout, ...(signal !== undefined ? { signal } : {}) },
    );
  } catch (e) {
    // Timed out or aborted: the half-started process must not stay behind.
    if (link) ctx.unlink(pid);
    ctx.exit(pid, ExitReasons.kill);
    ctx.demonitor(mref, { flush: true });
    if (e instanceof TimeoutError) return { error: new TimeoutError('start', timeout, { pid: pid.toString() }) };
    return { error: e instanceof AbortedError ? e : ExitReasons.error(e) };
  }
  if ('exit' in answer) {
    // Linked and trapping exits: the DOWN follows the EXIT; take it out of the mailbox.
    ctx.demonitor(mref, { flush: true });
    return { error: answer.exit };
  }
  if ('down' in answer) {
    if (link) await flushExit(ctx, pid);
    return { error: answer.down };
  }
  const result = answer.result;
  if (result === 'ok') {
    ctx.demonitor(mref, { flush: true });
    return { ok: pid };
  }
  // Any other answer: the process exits right after acknowledging; wait for that, and take its
  // DOWN (and EXIT, when linked) out of the mailbox.
  await ctx.receive((m) => (isDownMessage(m) && m.ref.key === mkey ? m : undefined), { timeout, onTimeout: () => null });
  if (link) await flushExit(ctx, pid);
  if (result === 'ignore') return { ignore: true };
  if ('failed' in result) return { error: result.failed };
  return { error: new NameTakenError(result.nameTaken, result.holder?.toString() ?? '?') };
}

/** Remove the EXIT of a linked process that is known to be dead (it arrived before its DOWN). */
async function flushExit(ctx: ProcessContext, pid: Pid): Promise<void> {
  await ctx.receive((m) => (isExitMessage(m) && m.from.equals(pid) ? m : undefined), { timeout: 0, onTimeout: () => null });
}
