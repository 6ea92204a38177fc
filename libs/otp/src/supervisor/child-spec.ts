import type { ProcessContext, ProcessType } from '@sdnode/core';
import { InvalidArgumentError, type ExitReason, type Pid } from '@sdnode/wire';
import { isRegistryName, type ProcessName } from '../common/names.js';

/**
 * Child specifications (Erlang's child_spec maps). A child is started from a process type and
 * arguments, or by a start function; the supervisor links to it and restarts it by its `restart`
 * policy; it stops it by its `shutdown` policy.
 */

/** When a child that exited is restarted: always; only after an abnormal exit; never. */
export type Restart = 'permanent' | 'transient' | 'temporary';

/**
 * How a child is stopped: killed at once (`brutal_kill`); asked to exit `shutdown` and killed
 * after this many ms; or asked and waited for without limit (`infinity`, the default for
 * supervisors: a subtree takes the time its own shutdowns take).
 */
export type Shutdown = 'brutal_kill' | 'infinity' | number;

export type ChildKind = 'worker' | 'supervisor';

/**
 * How a child is started:
 * - `{ type, args, name? }`: an OTP type (GenServer, Supervisor, GenStatem, EventManager) is started
 *   with the start protocol (its init completes before the next child starts), registered under
 *   `name` if given (a local name, or a registry name such as `{ global: name }`: OTP types only);
 *   a plain core process type is spawned linked. A type given by name must be an OTP type defined
 *   on this node.
 * - a function: it must start a process linked to the calling supervisor (`ctx`) and resolve
 *   with its pid, or null to mean ignore. For dynamic supervisors it also gets the extra arguments.
 */
export type ChildStart =
  | { readonly type: ProcessType | string; readonly args?: readonly unknown[]; readonly name?: ProcessName }
  | ((ctx: ProcessContext, ...extra: unknown[]) => Promise<Pid | null>);

export interface ChildSpec {
  /** Unique among the supervisor's children. */
  readonly id: string;
  readonly start: ChildStart;
  /** Default permanent. */
  readonly restart?: Restart;
  /** Default 5000 ms for workers, infinity for supervisors. */
  readonly shutdown?: Shutdown;
  /** Default worker. */
  readonly kind?: ChildKind;
}

/** A child spec with its defaults filled in. */
export interface NormalChildSpec {
  readonly id: string;
  readonly start: ChildStart;
  readonly restart: Restart;
  readonly shutdown: Shutdown;
  readonly kind: ChildKind;
}

export const DEFAULT_WORKER_SHUTDOWN = 5000;

const RESTARTS: ReadonlySet<string> = new Set(['permanent', 'transient', 'temporary']);

function checkShutdown(id: string, shutdown: unknown): Shutdown {
  if (shutdown === 'brutal_kill' || shutdown === 'infinity') return shutdown;
  if (typeof shutdown === 'number' && Number.isFinite(shutdown) && shutdown >= 0) return shutdown;
  throw new InvalidArgumentError('child spec', `${id}: shutdown must be 'brutal_kill', 'infinity' or ms >= 0`);
}

function checkStart(id: string, start: unknown): ChildStart {
  if (typeof start === 'function') return start as ChildStart;
  if (typeof start === 'object' && start !== null) {
    const { type, args, name } = start as { type?: unknown; args?: unknown; name?: unknown };
    const typeOk = typeof type === 'string' || (typeof type === 'object' && type !== null && typeof (type as { name?: unknown }).name === 'string');
    if (typeOk && (args === undefined || Array.isArray(args)) && (name === undefined || typeof name === 'string' || isRegistryName(name))) return start as ChildStart;
  }
  throw new InvalidArgumentError('child spec', `${id}: start must be { type, args?, name? } or a function`);
}

/** Validate a child spec and fill in its defaults. */
export function normalizeChildSpec(spec: unknown): NormalChildSpec {
  if (typeof spec !== 'object' || spec === null) throw new InvalidArgumentError('child spec', 'expected an object');
  const s = spec as Partial<ChildSpec>;
  if (typeof s.id !== 'string' || s.id.length === 0) throw new InvalidArgumentError('child spec', 'id must be a non-empty string');
  const id = s.id;
  const restart = s.restart ?? 'permanent';
  if (!RESTARTS.has(restart)) throw new InvalidArgumentError('child spec', `${id}: restart must be permanent, transient or temporary`);
  const kind = s.kind ?? 'worker';
  if (kind !== 'worker' && kind !== 'supervisor') throw new InvalidArgumentError('child spec', `${id}: kind must be worker or supervisor`);
  const shutdown = checkShutdown(id, s.shutdown ?? (kind === 'supervisor' ? 'infinity' : DEFAULT_WORKER_SHUTDOWN));
  return Object.freeze({ id, start: checkStart(id, s.start), restart, shutdown, kind });
}

/** Whether a child that exited with `reason` is restarted under policy `restart`. */
export function shouldRestart(restart: Restart, reason: ExitReason): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'temporary') return false;
  return reason.kind !== 'normal' && reason.kind !== 'shutdown';
}

/** Options of the child spec helpers: the spec's policies, and a name to register the child under. */
export type ChildOptions = Omit<ChildSpec, 'id' | 'start' | 'kind'> & { readonly name?: ProcessName };

function child<A extends unknown[]>(kind: ChildKind, id: string, type: ProcessType<A>, args: A, options: ChildOptions): ChildSpec {
  const { name, ...policies } = options;
  return { ...policies, id, start: { type, args, ...(name !== undefined ? { name } : {}) }, kind };
}

/** A worker child spec, typed by the process type's arguments. */
export function worker<A extends unknown[]>(id: string, type: ProcessType<A>, args: A, options: ChildOptions = {}): ChildSpec {
  return child('worker', id, type, args, options);
}

/** A child that is itself a supervisor (shutdown defaults to infinity). */
export function supervisorChild<A extends unknown[]>(id: string, type: ProcessType<A>, args: A, options: ChildOptions = {}): ChildSpec {
  return child('supervisor', id, type, args, options);
}
