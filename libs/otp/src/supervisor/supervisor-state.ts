import { isProcessType, type ProcessContext } from '@sdnode/core';
import { ChildExistsError, ExitReasons, InvalidArgumentError, type ExitReason, type Pid } from '@sdnode/wire';
import { isOtpType } from '../common/otp-type.js';
import { startOutcome, type StartOutcome } from '../common/start.js';
import { normalizeChildSpec, type ChildKind, type ChildSpec, type NormalChildSpec } from './child-spec.js';
import { RestartIntensity } from './restart-intensity.js';

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';

export interface SupervisorFlags {
  /** Default one_for_one. */
  readonly strategy?: Strategy;
  /** Restarts allowed within `period` (default 1). */
  readonly intensity?: number;
  /** ms (default 5000). */
  readonly period?: number;
}

/** What a supervisor's init returns: flags and children (for simple_one_for_one, exactly one template). */
export interface SupervisorInit extends SupervisorFlags {
  readonly children: readonly ChildSpec[];
}

/** One entry of whichChildren: the pid, 'restarting', or null (not running). */
export interface ChildInfo {
  readonly id: string;
  readonly pid: Pid | 'restarting' | null;
  readonly kind: ChildKind;
}

export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

/** A child as the supervisor keeps it. */
export interface Child {
  /** The id (static children) or a counter (`#n`, dynamic children). */
  readonly key: string;
  readonly spec: NormalChildSpec;
  /** Extra start arguments of a dynamic child. */
  readonly extra: readonly unknown[];
  pid: Pid | null;
  /** A restart failed; a retry is scheduled. */
  restarting: boolean;
}

export const DEFAULT_INTENSITY = 1;
export const DEFAULT_PERIOD = 5000;
/** How long a child's init may take: workers 5 s, supervisors 60 s (they start their own children). */
export const WORKER_START_TIMEOUT = 5000;
export const SUPERVISOR_START_TIMEOUT = 60_000;

const STRATEGIES: ReadonlySet<string> = new Set(['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one']);

/**
 * The state of a supervisor process: its children in start order (static) or by key (dynamic), an
 * index by pid, the restart intensity. Mutated in place by the supervisor's callbacks.
 */
export class SupervisorState {
  /** Static children in start order. */
  readonly children: Child[] = [];
  /** Dynamic children (simple_one_for_one), in start order. */
  readonly dynamic = new Map<string, Child>();
  private readonly byPid = new Map<string, Child>();
  private nextKey = 0;

  private constructor(
    readonly strategy: Strategy,
    readonly intensity: RestartIntensity,
    readonly template: NormalChildSpec | null,
  ) {}

  static fromInit(init: SupervisorInit): { state: SupervisorState; specs: NormalChildSpec[] } {
    if (typeof init !== 'object' || init === null || !Array.isArray(init.children)) {
      throw new InvalidArgumentError('supervisor init', 'expected { strategy?, intensity?, period?, children: [...] } or { ignore: true }');
    }
    const strategy = init.strategy ?? 'one_for_one';
    if (!STRATEGIES.has(strategy)) throw new InvalidArgumentError('strategy', `unknown strategy ${String(strategy)}`);
    const intensity = new RestartIntensity(init.intensity ?? DEFAULT_INTENSITY, init.period ?? DEFAULT_PERIOD);
    const specs = init.children.map(normalizeChildSpec);
    if (strategy === 'simple_one_for_one') {
      if (specs.length !== 1) throw new InvalidArgumentError('children', 'simple_one_for_one needs exactly one child spec (the template)');
      return { state: new SupervisorState(strategy, intensity, specs[0]!), specs: [] };
    }
    const ids = new Set<string>();
    for (const s of specs) {
      if (ids.has(s.id)) throw new InvalidArgumentError('children', `duplicate child id ${s.id}`);
      ids.add(s.id);
    }
    return { state: new SupervisorState(strategy, intensity, null), specs };
  }

  get isDynamic(): boolean {
    return this.template !== null;
  }

  byId(id: string): Child | undefined {
    return this.children.find((c) => c.key === id);
  }

  byKey(key: string): Child | undefined {
    return this.dynamic.get(key) ?? this.byId(key);
  }

  findPid(pid: Pid): Child | undefined {
    return this.byPid.get(pid.key);
  }

  /** Add a static child spec (at the end of the start order). */
  addStatic(spec: NormalChildSpec, label: string): Child {
    const existing = this.byId(spec.id);
    if (existing !== undefined) throw new ChildExistsError(label, spec.id, existing.pid !== null || existing.restarting);
    const child: Child = { key: spec.id, spec, extra: [], pid: null, restarting: false };
    this.children.push(child);
    return child;
  }

  addDynamic(extra: readonly unknown[]): Child {
    const child: Child = { key: `#${++this.nextKey}`, spec: this.template!, extra, pid: null, restarting: false };
    this.dynamic.set(child.key, child);
    return child;
  }

  remove(child: Child): void {
    this.setPid(child, null);
    if (this.dynamic.delete(child.key)) return;
    const i = this.children.indexOf(child);
    if (i >= 0) this.children.splice(i, 1);
  }

  setPid(child: Child, pid: Pid | null): void {
    if (child.pid !== null) this.byPid.delete(child.pid.key);
    child.pid = pid;
    if (pid !== null) this.byPid.set(pid.key, child);
  }

  /** Every child (static ones in start order, then dynamic ones). */
  all(): Child[] {
    return [...this.children, ...this.dynamic.values()];
  }

  which(): ChildInfo[] {
    return this.all().map((c) => ({ id: c.spec.id, pid: c.restarting ? 'restarting' : c.pid, kind: c.spec.kind }));
  }

  counts(): ChildCounts {
    const all = this.all();
    return {
      specs: this.isDynamic ? 1 : all.length,
      active: all.filter((c) => c.pid !== null).length,
      supervisors: all.filter((c) => c.spec.kind === 'supervisor').length,
      workers: all.filter((c) => c.spec.kind === 'worker').length,
    };
  }
}

/** Start (or restart) one child, linked to the supervisor; never throws. */
export async function startChildProcess(ctx: ProcessContext, child: Child): Promise<StartOutcome> {
  const { start, kind } = child.spec;
  try {
    if (typeof start === 'function') {
      const pid = await start(ctx, ...child.extra);
      return pid === null ? { ignore: true } : { ok: pid };
    }
    const args = [...(start.args ?? []), ...child.extra];
    if (typeof start.type !== 'string' && isProcessType(start.type) && !isOtpType(start.type)) {
      if (start.name !== undefined && typeof start.name !== 'string') {
        throw new InvalidArgumentError('child spec', `${child.spec.id}: a plain process type takes a local name only`);
      }
      const pid = ctx.spawnLink(start.type, ...args);
      if (start.name !== undefined) ctx.node.register(start.name, pid);
      return { ok: pid };
    }
    const timeout = kind === 'supervisor' ? SUPERVISOR_START_TIMEOUT : WORKER_START_TIMEOUT;
    return await startOutcome(ctx, start.type, args, { link: true, timeout, ...(start.name !== undefined ? { name: start.name } : {}) });
  } catch (e) {
    return { error: e instanceof Error ? e : ExitReasons.error(e) };
  }
}

/** A start failure as a serialisable term (an exit reason or a typed error). */
export function failureOf(outcome: StartOutcome): ExitReason | Error | null {
  return 'error' in outcome ? outcome.error : null;
}
