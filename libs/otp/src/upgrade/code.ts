import { randomUUID } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Node, RpcFunction } from '@sdnode/core';
import { InvalidArgumentError, SdnodeError, UpgradeError, errorFromWire, errorInfo, isWireError, type WireError } from '@sdnode/wire';
import { isOtpType, type OtpType } from '../common/otp-type.js';
import { upgradeType, type UpgradeOptions, type UpgradeReport } from './code-upgrade.js';

/**
 * Code: loading a new version of a type on a node and upgrading the running processes to it
 * (locally, over rpc, and node by node across a cluster). See docs/guides/code-upgrade.md.
 */

/** The rpc function that loads a module on its node and upgrades a type to the version it exports. */
export const UPGRADE_FUNCTION = 'sdnode.code.upgrade';

/** What the upgrade rpc answers: never a thrown error, so that the typed error survives the trip. */
export type UpgradeOutcome = { readonly ok: true; readonly report: UpgradeReport } | { readonly ok: false; readonly error: WireError };

export interface ModuleUpgradeOptions extends UpgradeOptions {
  /** The module that exports the new version: a file path (relative to the node's working directory) or a URL. */
  readonly module: string;
  /** The type's name. */
  readonly type: string;
}

export interface RollingUpgradeOptions extends ModuleUpgradeOptions {
  /** Deadline of each node's upgrade rpc (default 30000 ms). */
  readonly rpcTimeout?: number;
}

/** One node's line of a rolling upgrade report. */
export type NodeUpgradeResult =
  | { readonly node: string; readonly status: 'upgraded'; readonly report: UpgradeReport }
  | { readonly node: string; readonly status: 'failed'; readonly error: SdnodeError | Error }
  | { readonly node: string; readonly status: 'skipped' };

export interface RollingUpgradeReport {
  /** Every node was upgraded. */
  readonly ok: boolean;
  readonly nodes: readonly NodeUpgradeResult[];
}

/** A file path or URL as an import specifier that is new on every call (a fresh module instance, not the cached one). */
function freshModuleUrl(spec: string): string {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(spec) && !/^[a-z]:[\\/]/i.test(spec) ? new URL(spec) : pathToFileURL(isAbsolute(spec) ? spec : resolve(spec));
  url.searchParams.set('sdnode-upgrade', randomUUID());
  return url.href;
}

/** The OTP type named `name` among a module's exports (its `types`, or any export). */
function findType(mod: Record<string, unknown>, name: string): OtpType | undefined {
  const candidates: unknown[] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) candidates.push(...v);
    else if (typeof v === 'object' && v !== null && !isOtpType(v)) candidates.push(...Object.values(v));
    else candidates.push(v);
  };
  for (const value of Object.values(mod)) collect(value);
  const fallback = mod['default'];
  if (typeof fallback === 'object' && fallback !== null) for (const value of Object.values(fallback)) collect(value);
  return candidates.find((c): c is OtpType => isOtpType(c) && c.name === name);
}

function asWire(e: unknown, type: string, node: string): WireError {
  if (e instanceof SdnodeError) return e.toWire();
  return new UpgradeError(type, node, errorInfo(e).message).toWire();
}

export const Code = {
  /** Upgrade the type `to.name` on `node` to `to` (all processes or none). UpgradeError, CodeChangeError. */
  upgrade(node: Node, to: OtpType, options?: UpgradeOptions): Promise<UpgradeReport> {
    return upgradeType(node, to, options);
  },

  /** Load `options.module` on `node` (a fresh instance of it) and upgrade `options.type` to the version it exports. */
  async loadAndUpgrade(node: Node, options: ModuleUpgradeOptions): Promise<UpgradeReport> {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(freshModuleUrl(options.module))) as Record<string, unknown>;
    } catch (e) {
      throw new UpgradeError(options.type, node.name, `cannot load ${options.module}: ${errorInfo(e).message}`);
    }
    const to = findType(mod, options.type);
    if (to === undefined) throw new UpgradeError(options.type, node.name, `${options.module} exports no OTP type named ${options.type}`);
    return upgradeType(node, to, options);
  },

  /**
   * Upgrade `nodes` one after the other, each through the rpc `sdnode.code.upgrade` (the module
   * must be readable on each node), stopping at the first failure: that node keeps the old
   * version (its upgrade is all or nothing), the nodes after it are not touched.
   */
  async rollingUpgrade(caller: Node, nodes: readonly string[], options: RollingUpgradeOptions): Promise<RollingUpgradeReport> {
    const { rpcTimeout, ...upgrade } = options;
    const out: NodeUpgradeResult[] = [];
    let failed = false;
    for (const node of nodes) {
      if (failed) {
        out.push({ node, status: 'skipped' });
        continue;
      }
      try {
        const outcome = await caller.rpc<UpgradeOutcome>(node, UPGRADE_FUNCTION, [upgrade], { timeout: rpcTimeout ?? 30_000 });
        if (outcome.ok) out.push({ node, status: 'upgraded', report: outcome.report });
        else {
          failed = true;
          out.push({ node, status: 'failed', error: isWireError(outcome.error) ? errorFromWire(outcome.error) : new UpgradeError(options.type, node, 'malformed answer') });
        }
      } catch (e) {
        failed = true;
        out.push({ node, status: 'failed', error: e instanceof Error ? e : new Error(String(e)) });
      }
    }
    return { ok: !failed, nodes: out };
  },
} as const;

function checkOptions(value: unknown): ModuleUpgradeOptions {
  const v = value as Partial<ModuleUpgradeOptions> | null;
  if (typeof v !== 'object' || v === null || typeof v.module !== 'string' || typeof v.type !== 'string') {
    throw new InvalidArgumentError('upgrade', 'expected { module, type, extra?, timeout? }');
  }
  return { module: v.module, type: v.type, extra: v.extra, ...(typeof v.timeout === 'number' ? { timeout: v.timeout } : {}) };
}

/**
 * The rpc built-in `sdnode.code.upgrade({ module, type, extra?, timeout? })`. It loads and runs
 * code named by the caller: any node that knows the cluster's cookie can do that (as with Erlang's
 * distribution), so run only trusted nodes with the cookie.
 */
export function codeFunctions(node: Node): Record<string, RpcFunction> {
  return {
    [UPGRADE_FUNCTION]: async (raw: unknown): Promise<UpgradeOutcome> => {
      let options: ModuleUpgradeOptions;
      try {
        options = checkOptions(raw);
        return { ok: true, report: await Code.loadAndUpgrade(node, options) };
      } catch (e) {
        const type = typeof (raw as { type?: unknown } | null)?.type === 'string' ? (raw as { type: string }).type : '?';
        node.logger.error({ err: errorInfo(e), type }, 'code upgrade failed');
        return { ok: false, error: asWire(e, type, node.name) };
      }
    },
  };
}
