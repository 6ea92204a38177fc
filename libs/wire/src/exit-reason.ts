import type { Term } from './term.js';

/** What a crash carries across nodes: an Error flattened into plain data. */
export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** The `code` of a typed sdnode error, when the error was one. */
  readonly code?: string;
}

/**
 * Why a process exited, or the reason carried by an exit signal. A discriminated union, not
 * an Error: reasons are data, compared by `kind`, and cross nodes unchanged.
 *
 * - `normal`: the process finished; links ignore it (unless trapping exits).
 * - `shutdown`: an orderly stop requested by a supervisor or the node.
 * - `kill`: only as a signal sent with `exit(pid, kill)`: untrappable; the target exits `killed`.
 * - `killed`: the reason of a process that received `kill`; trappable when propagated by links.
 * - `noproc`: the process did not exist (monitor/link of a dead or unknown pid).
 * - `noconnection`: the connection to the process's node failed.
 * - `error`: the process crashed (threw or rejected).
 * - `other`: any user-defined reason (a serialisable term).
 */
export type ExitReason =
  | { readonly kind: 'normal' }
  | { readonly kind: 'shutdown'; readonly detail?: Term }
  | { readonly kind: 'kill' }
  | { readonly kind: 'killed' }
  | { readonly kind: 'noproc' }
  | { readonly kind: 'noconnection' }
  | { readonly kind: 'error'; readonly error: ErrorInfo }
  | { readonly kind: 'other'; readonly value: Term };

export const ExitReasons = {
  normal: { kind: 'normal' } as ExitReason,
  kill: { kind: 'kill' } as ExitReason,
  killed: { kind: 'killed' } as ExitReason,
  noproc: { kind: 'noproc' } as ExitReason,
  noconnection: { kind: 'noconnection' } as ExitReason,
  shutdown: (detail?: Term): ExitReason => (detail === undefined ? { kind: 'shutdown' } : { kind: 'shutdown', detail }),
  other: (value: Term): ExitReason => ({ kind: 'other', value }),
  error: (error: unknown): ExitReason => ({ kind: 'error', error: errorInfo(error) }),
} as const;

/** Flatten any thrown value into ErrorInfo. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const info: { name: string; message: string; stack?: string; code?: string } = {
      name: error.name,
      message: error.message,
    };
    if (error.stack !== undefined) info.stack = error.stack;
    if (typeof code === 'string') info.code = code;
    return info;
  }
  return { name: 'NonError', message: safeString(error) };
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const KINDS = new Set(['normal', 'shutdown', 'kill', 'killed', 'noproc', 'noconnection', 'error', 'other']);

/** Structural check of a decoded reason (frames from the network are validated with it). */
export function isExitReason(value: unknown): value is ExitReason {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return false;
  if (kind === 'error') {
    const e = (value as { error?: unknown }).error as Record<string, unknown> | undefined;
    return typeof e === 'object' && e !== null && typeof e['name'] === 'string' && typeof e['message'] === 'string';
  }
  if (kind === 'other') return 'value' in value;
  return true;
}

/** `normal` exits do not propagate through links; everything else does. */
export function isNormalExit(reason: ExitReason): boolean {
  return reason.kind === 'normal';
}

export function formatExitReason(reason: ExitReason): string {
  switch (reason.kind) {
    case 'error':
      return `error: ${reason.error.name}: ${reason.error.message}`;
    case 'other':
      return `other: ${safeString(reason.value)}`;
    case 'shutdown':
      return reason.detail === undefined ? 'shutdown' : `shutdown: ${safeString(reason.detail)}`;
    default:
      return reason.kind;
  }
}
