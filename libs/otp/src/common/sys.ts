import type { CodeChanger } from './staged-code-change.js';
import type { CallMessage, CallOptions, ProcessContext } from '@sdnode/core';
import { CalleeExitError, ExitReasons, InvalidArgumentError, type ExitReason, type Pid } from '@sdnode/wire';
import { isThenable, type MaybePromise } from './async.js';
import { callFrom, type Caller } from './caller.js';
import { Debug, type Statistics, type TraceSink } from './debug.js';
import { unwrap, type Outcome, type SysRequest } from './messages.js';
import type { Target } from './names.js';
import type { BehaviourName, OtpType } from './otp-type.js';
import type { DebugOptions } from './start.js';

/**
 * System requests (Erlang's sys module), answered by every behaviour process whatever its state:
 * inspect and replace the state, status, statistics, tracing, suspend/resume, code change, stop.
 * They travel as ordinary calls (monitor + ref), so they work on local and remote processes alike,
 * with the call's timeout and typed errors.
 */

/** What a behaviour process exposes to the system requests. */
export interface SysHost {
  readonly behaviourName: BehaviourName;
  readonly typeName: string;
  readonly vsn: string | number | undefined;
  readonly parent: Pid | null;
  debug: Debug | null;
  suspended: boolean;
  sysGetState(): unknown;
  /** The state as getStatus shows it (the formatStatus callback, when there is one). */
  sysStatusState(): unknown;
  /** Replace the state with `fn(state)`; returns the new state (throws: state unchanged). */
  sysReplaceState(fn: (state: unknown) => unknown): unknown;
  /**
   * Code changes: `change` switches to the implementation `to` at once (its codeChange converts
   * the state); `prepare` runs `to`'s codeChange on a suspended process and keeps the result
   * without switching (`current`: it runs `to` already), `commit` switches to it, `abort` forgets
   * it (also done on resume and on replace_state). Failures throw a typed error and leave the
   * process on its version and state.
   */
  readonly codeChange: CodeChanger;
  /** Run terminate and exit with `reason`. */
  sysTerminate(reason: ExitReason): MaybePromise<void>;
  /** Handle the messages deferred while suspended, in order. */
  sysResumed(): MaybePromise<void>;
}

/** The answer to `Sys.getStatus` (Erlang's sys:get_status). */
export interface StatusReport {
  readonly pid: Pid;
  readonly name: string | null;
  readonly behaviour: BehaviourName;
  readonly type: string;
  readonly vsn: string | number | null;
  readonly status: 'running' | 'suspended';
  readonly parent: Pid | null;
  readonly state: unknown;
  readonly messageQueueLength: number;
  readonly statistics: Statistics | null;
  readonly tracing: boolean;
}

/** Apply start-time debug options (trace from the first message). */
export function debugFromStart(ctx: ProcessContext, options: DebugOptions | undefined): Debug | null {
  if (options === undefined || (options.trace === undefined && options.statistics !== true)) return null;
  const debug = new Debug(ctx);
  if (options.trace !== undefined) debug.trace = options.trace;
  if (options.statistics === true) debug.setStatistics(true);
  return debug;
}

/** Answer a system request on behalf of `host`. */
export function handleSys(host: SysHost, ctx: ProcessContext, call: CallMessage, req: SysRequest): MaybePromise<void> {
  const answer = (outcome: Outcome<unknown>): void => {
    host.debug?.out(call.from, outcome);
    try {
      ctx.reply(call, outcome);
    } catch (e) {
      // A remote caller and a value that cannot be encoded (a state holding functions): the
      // caller gets the typed error (NotSendableError), the process lives on.
      ctx.reply(call, { error: e instanceof Error ? e : new Error(String(e)) });
    }
  };
  switch (req.$sys) {
    case 'get_state':
      answer({ ok: host.sysGetState() });
      return;
    case 'replace_state':
      host.codeChange.abort();
      try {
        answer({ ok: host.sysReplaceState(req.fn) });
      } catch (e) {
        answer({ error: e instanceof Error ? e : new Error(String(e)) });
      }
      return;
    case 'get_status': {
      const info = ctx.node.processInfo(ctx.self);
      const report: StatusReport = {
        pid: ctx.self,
        name: info?.name ?? null,
        behaviour: host.behaviourName,
        type: host.typeName,
        vsn: host.vsn ?? null,
        status: host.suspended ? 'suspended' : 'running',
        parent: host.parent,
        state: host.sysStatusState(),
        messageQueueLength: info?.messageQueueLength ?? 0,
        statistics: host.debug?.statistics() ?? null,
        tracing: host.debug?.trace != null,
      };
      answer({ ok: report });
      return;
    }
    case 'statistics': {
      if (req.op === 'get') {
        answer({ ok: host.debug?.statistics() ?? null });
        return;
      }
      const debug = (host.debug ??= new Debug(ctx));
      debug.setStatistics(req.op === 'on');
      if (debug.idle) host.debug = null;
      answer({ ok: null });
      return;
    }
    case 'trace': {
      const debug = (host.debug ??= new Debug(ctx));
      debug.trace = req.sink;
      if (debug.idle) host.debug = null;
      answer({ ok: null });
      return;
    }
    case 'suspend':
      host.suspended = true;
      answer({ ok: null });
      return;
    case 'resume':
      host.suspended = false;
      host.codeChange.abort();
      answer({ ok: null });
      return host.sysResumed();
    case 'change_code': {
      let r: MaybePromise<void>;
      try {
        r = host.codeChange.change(req.to, req.extra);
      } catch (e) {
        answer({ error: e instanceof Error ? e : new Error(String(e)) });
        return;
      }
      if (!isThenable(r)) {
        answer({ ok: null });
        return;
      }
      return (r as Promise<void>).then(
        () => answer({ ok: null }),
        (e: unknown) => answer({ error: e instanceof Error ? e : new Error(String(e)) }),
      );
    }
    case 'prepare_code_change': {
      let r: MaybePromise<'prepared' | 'current'>;
      try {
        if (!host.suspended) throw new InvalidArgumentError('prepare_code_change', 'the process must be suspended first (Sys.suspend)');
        r = host.codeChange.prepare(req.to, req.extra);
      } catch (e) {
        answer({ error: e instanceof Error ? e : new Error(String(e)) });
        return;
      }
      if (!isThenable(r)) {
        answer({ ok: r });
        return;
      }
      return (r as Promise<'prepared' | 'current'>).then(
        (v) => answer({ ok: v }),
        (e: unknown) => answer({ error: e instanceof Error ? e : new Error(String(e)) }),
      );
    }
    case 'commit_code_change':
      try {
        host.codeChange.commit();
        answer({ ok: null });
      } catch (e) {
        answer({ error: e instanceof Error ? e : new Error(String(e)) });
      }
      return;
    case 'abort_code_change':
      host.codeChange.abort();
      answer({ ok: null });
      return;
    case 'terminate':
      return host.sysTerminate(req.reason);
  }
}

/** Options of every Sys function: those of a call (default timeout 5000 ms). */
export type SysOptions = CallOptions;

async function sys<T>(caller: Caller, target: Target, request: SysRequest, options?: SysOptions): Promise<T> {
  return unwrap<T>(await callFrom(caller, target, request, options));
}

/** Introspection and control of any behaviour process (local or remote), like Erlang's sys. */
export const Sys = {
  /** The process's state (GenServer: its state; GenStatem: `{ state, data }`; Supervisor: its children). */
  getState<T = unknown>(caller: Caller, target: Target, options?: SysOptions): Promise<T> {
    return sys<T>(caller, target, { $sys: 'get_state' }, options);
  },

  /** Replace the state with `fn(state)` and return it (local processes only: `fn` is a closure). */
  replaceState<T>(caller: Caller, target: Target, fn: (state: T) => T, options?: SysOptions): Promise<T> {
    return sys<T>(caller, target, { $sys: 'replace_state', fn: fn as (s: unknown) => unknown }, options);
  },

  getStatus(caller: Caller, target: Target, options?: SysOptions): Promise<StatusReport> {
    return sys<StatusReport>(caller, target, { $sys: 'get_status' }, options);
  },

  /** `true`/`false` switch statistics on (counters reset) or off; `'get'` reads them (null when off). */
  statistics(caller: Caller, target: Target, op: boolean | 'get', options?: SysOptions): Promise<Statistics | null> {
    return sys<Statistics | null>(caller, target, { $sys: 'statistics', op: op === 'get' ? 'get' : op ? 'on' : 'off' }, options);
  },

  /** Send the process's trace events to `sink` from now on; null switches tracing off. */
  trace(caller: Caller, target: Target, sink: TraceSink | null, options?: SysOptions): Promise<void> {
    return sys<void>(caller, target, { $sys: 'trace', sink }, options);
  },

  /** Only system requests are handled until `resume`; other messages wait, in order. */
  suspend(caller: Caller, target: Target, options?: SysOptions): Promise<void> {
    return sys<void>(caller, target, { $sys: 'suspend' }, options);
  },

  resume(caller: Caller, target: Target, options?: SysOptions): Promise<void> {
    return sys<void>(caller, target, { $sys: 'resume' }, options);
  },

  /**
   * Switch a running process to the implementation `to` (a definition of the same behaviour, for
   * instance a newer version of its type). The new implementation's codeChange converts the state;
   * every later message is handled by `to`. Local processes only (`to` holds functions).
   */
  changeCode(caller: Caller, target: Target, to: OtpType, extra?: unknown, options?: SysOptions): Promise<void> {
    return sys<void>(caller, target, { $sys: 'change_code', to, extra }, options);
  },

  /**
   * The first half of a change several processes make together (what Code.upgrade does): on a
   * suspended process, run `to`'s codeChange and keep the converted state without switching.
   * Resolves `prepared`, or `current` when the process runs `to` already; rejects with
   * CodeChangeError (its codeChange returned an error) or InvalidArgumentError (not suspended, not
   * the same behaviour). Then `commitCodeChange` switches, `abortCodeChange` (or resume) forgets it.
   */
  prepareCodeChange(caller: Caller, target: Target, to: OtpType, extra?: unknown, options?: SysOptions): Promise<'prepared' | 'current'> {
    return sys<'prepared' | 'current'>(caller, target, { $sys: 'prepare_code_change', to, extra }, options);
  },

  commitCodeChange(caller: Caller, target: Target, options?: SysOptions): Promise<void> {
    return sys<void>(caller, target, { $sys: 'commit_code_change' }, options);
  },

  abortCodeChange(caller: Caller, target: Target, options?: SysOptions): Promise<void> {
    return sys<void>(caller, target, { $sys: 'abort_code_change' }, options);
  },

  /**
   * Stop the process with `reason` (default normal): its terminate runs, and this resolves once it
   * has exited. Rejects with NoProcError when it does not exist, CalleeExitError when it exited
   * with another reason (its terminate failed), TimeoutError.
   */
  async terminate(caller: Caller, target: Target, reason: ExitReason = ExitReasons.normal, options?: SysOptions): Promise<void> {
    try {
      await callFrom(caller, target, { $sys: 'terminate', reason }, options);
    } catch (e) {
      if (e instanceof CalleeExitError && sameReason(e.reason, reason)) return;
      throw e;
    }
  },
};

function sameReason(a: unknown, b: ExitReason): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

