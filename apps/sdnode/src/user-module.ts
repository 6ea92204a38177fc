import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isProcessType, type Node, type ProcessType, type RpcFunction } from '@sdnode/core';
import { isApplicationDefinition, type ApplicationDefinition } from '@sdnode/otp';
import type { Placement } from '@sdnode/placement';
import type { Registry } from '@sdnode/registry';
import type { SGroups } from '@sdnode/sgroups';
import { InvalidArgumentError } from '@sdnode/wire';

/** What a user module's `setup` gets: the node and the services `sdnode start` runs on it. */
export interface NodeServices {
  readonly node: Node;
  readonly registry: Registry;
  readonly sgroups: SGroups;
  /** Implicit process placement (absent on a hidden node, which runs none). */
  readonly placement: Placement | undefined;
}

/** What `sdnode start --module FILE` takes from the user's module. */
export interface UserModule {
  readonly types: ProcessType[];
  readonly functions: Record<string, RpcFunction>;
  readonly applications: ApplicationDefinition[];
  /** Called once the node and its services run, before the applications start (may be async). */
  readonly setup?: (services: NodeServices) => unknown;
}

/**
 * Load the user's module (an ES module, JavaScript) that defines their process types, rpc
 * functions and applications: `export const types = [Counter, ...]` (an array or an object of
 * ProcessTypes), `export const functions = { 'shop.total': (a, b) => a + b }` and
 * `export const applications = [Shop, ...]` (Application.define results), and
 * `export function setup({ node, registry, sgroups, placement })`, called once the node and its
 * services run (to keep them for the module's functions and applications, e.g. placed supervisor
 * children with `placement.childSpec`); or the same fields on the default export. Any may be
 * missing; anything else is a usage error naming the module.
 */
export async function loadUserModule(path: string): Promise<UserModule> {
  const url = /^[a-z]+:/i.test(path) && !/^[a-z]:[\\/]/i.test(path) ? path : pathToFileURL(resolve(path)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidArgumentError('--module', `cannot load ${path}: ${(error as Error).message}`);
  }
  const fallback = typeof mod['default'] === 'object' && mod['default'] !== null ? (mod['default'] as Record<string, unknown>) : {};
  const rawTypes = mod['types'] ?? fallback['types'] ?? [];
  const rawFunctions = mod['functions'] ?? fallback['functions'] ?? {};
  const rawApps = mod['applications'] ?? fallback['applications'] ?? [];
  const setup = mod['setup'] ?? fallback['setup'];
  if (setup !== undefined && typeof setup !== 'function') throw new InvalidArgumentError('--module', `${path}: "setup" must be a function ({ node, registry, sgroups, placement }) => void`);
  const types = Array.isArray(rawTypes) ? rawTypes : typeof rawTypes === 'object' && rawTypes !== null ? Object.values(rawTypes) : null;
  if (types === null || !types.every(isProcessType)) {
    throw new InvalidArgumentError('--module', `${path}: "types" must be an array (or object) of defineProcess(...) results`);
  }
  if (typeof rawFunctions !== 'object' || rawFunctions === null || !Object.values(rawFunctions).every((f) => typeof f === 'function')) {
    throw new InvalidArgumentError('--module', `${path}: "functions" must map names to functions`);
  }
  const applications = Array.isArray(rawApps) ? rawApps : typeof rawApps === 'object' && rawApps !== null ? Object.values(rawApps) : null;
  if (applications === null || !applications.every(isApplicationDefinition)) {
    throw new InvalidArgumentError('--module', `${path}: "applications" must be an array (or object) of Application.define(...) results`);
  }
  return {
    types: types as ProcessType[],
    functions: rawFunctions as Record<string, RpcFunction>,
    applications: applications as ApplicationDefinition[],
    ...(setup !== undefined ? { setup: setup as (services: NodeServices) => unknown } : {}),
  };
}
