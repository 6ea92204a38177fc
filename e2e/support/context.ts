// What the e2e global setup hands to the test files (vitest provide/inject).
import { inject } from 'vitest';

export type E2eContext =
  | { readonly available: true; readonly image: string; readonly ownerPid: number }
  | { readonly available: false; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    sdnodeE2e: E2eContext;
  }
}

export const E2E_CONTEXT_KEY = 'sdnodeE2e' as const;

/** The suite's context, from the global setup. */
export function e2eContext(): E2eContext {
  return inject(E2E_CONTEXT_KEY);
}

/**
 * A describe title that says why the block is skipped, for
 * `describe.skipIf(!ctx.available)(suiteTitle(ctx, '...'), ...)`.
 */
export function suiteTitle(ctx: E2eContext, title: string): string {
  return ctx.available ? title : `${title} [skipped: ${ctx.reason}]`;
}
