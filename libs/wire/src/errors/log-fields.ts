import { SdnodeError } from './sdnode-error.js';

/** What a log line says about an error: its name, code and message, and a stack only when it is unexpected. */
export type ErrorLogFields = { readonly err: Error } | { readonly error: { readonly name: string; readonly code: string; readonly message: string } };

/**
 * Log fields for an error. A typed condition (an SdnodeError: a refused or timed-out connection,
 * a peer gone) is an expected event: its name, code and message say everything, and a stack trace
 * repeated many times a second across a cluster would only bury the unexpected ones. Any other
 * error is logged whole (`err`, with its stack).
 */
export function errorLogFields(error: unknown): ErrorLogFields {
  if (error instanceof SdnodeError) return { error: { name: error.name, code: error.code, message: error.message } };
  return { err: error instanceof Error ? error : new Error(String(error)) };
}

/** Whether an error is an expected, typed condition (see errorLogFields). */
export function isExpectedError(error: unknown): boolean {
  return error instanceof SdnodeError;
}
