import { Node, isNameService, type Destination, type NameService, type ProcessContext } from '@sdnode/core';
import { InvalidArgumentError, NoProcError, Pid } from '@sdnode/wire';

/**
 * Names in a name service (Erlang's `{global, Name}` and `{via, Module, Name}`): a behaviour can be
 * started under one and addressed by one, wherever a local name is accepted.
 *
 * | form | resolved with |
 * | --- | --- |
 * | `{ global: 'x' }` | the node's name service `global` (`node.nameService('global')`) |
 * | `{ scope: 'g1', name: 'x' }` | the node's name service `g1` |
 * | `{ via: svc, name: 'x' }` | `svc`, any NameService object (local starts and calls only: it holds functions) |
 *
 * Addressing resolves the name with `whereisName` at the moment of each call or cast, then talks
 * to that pid (as gen:call does). The services are the node's own: a remote start with `global` or
 * `scope` registers through the name service of the node the process starts on.
 */

/** A name in the node's `global` name service. */
export interface GlobalName {
  readonly global: string;
}

/** A name in the node's name service of scope `scope` (an s_group, for instance). */
export interface ScopedName {
  readonly scope: string;
  readonly name: string;
}

/** A name in a name service given directly. */
export interface ViaName {
  readonly via: NameService;
  readonly name: string;
}

/** A name held by a name service rather than by the node's local name table. */
export type RegistryName = GlobalName | ScopedName | ViaName;

/** What a behaviour can be started under: a local name, or a name in a name service. */
export type ProcessName = string | RegistryName;

/** What a behaviour can be addressed by: a pid, a local name, `{ name, node }`, or a name in a name service. */
export type Target = Destination | RegistryName;

const GLOBAL_SCOPE = 'global';

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Whether `value` is one of the three registry name forms (well-formed). */
export function isRegistryName(value: unknown): value is RegistryName {
  if (typeof value !== 'object' || value === null || value instanceof Pid) return false;
  const v = value as { global?: unknown; scope?: unknown; via?: unknown; name?: unknown; node?: unknown };
  if ('global' in v) return nonEmpty(v.global);
  if ('scope' in v) return nonEmpty(v.scope) && nonEmpty(v.name) && !('node' in v);
  if ('via' in v) return isNameService(v.via) && nonEmpty(v.name);
  return false;
}

/** Check a start option `name`: a non-empty local name or a well-formed registry name. */
export function checkProcessName(name: unknown): ProcessName {
  if (nonEmpty(name) || isRegistryName(name)) return name;
  throw new InvalidArgumentError('name', 'expected a local name, { global: name }, { scope, name } or { via: NameService, name }');
}

/** The name inside its service. */
export function nameInService(name: RegistryName): string {
  return 'global' in name ? name.global : name.name;
}

/** The scope a registry name is resolved in (for a via name, its service's scope name). */
export function scopeOf(name: RegistryName): string {
  if ('global' in name) return GLOBAL_SCOPE;
  if ('scope' in name) return name.scope;
  return name.via.scopeName;
}

/** Printable form, for errors and logs: `x`, `{global,x}`, `{scope,g1,x}`, `{via,g1,x}`. */
export function formatName(name: ProcessName): string {
  if (typeof name === 'string') return name;
  if ('global' in name) return `{global,${name.global}}`;
  if ('scope' in name) return `{scope,${name.scope},${name.name}}`;
  return `{via,${name.via.scopeName},${name.name}}`;
}

/**
 * The service that holds `name`. Throws InvalidArgumentError when the node has no service of
 * that scope (no registry running, or this node is not in that scope).
 */
export function serviceOf(node: Node, name: RegistryName): NameService {
  if ('via' in name) return name.via;
  const scope = scopeOf(name);
  const svc = node.nameService(scope);
  if (svc === undefined) throw new InvalidArgumentError('name', `${formatName(name)}: node ${node.name} has no name service "${scope}"`);
  return svc;
}

function hasRegistryKey(value: object): boolean {
  return 'global' in value || 'scope' in value || 'via' in value;
}

function nodeOf(caller: ProcessContext | Node): Node {
  return caller instanceof Node ? caller : caller.node;
}

/**
 * Where to send for `target` now: a registry name is looked up in its service (NoProcError with
 * the name and scope when nobody holds it, InvalidArgumentError when its scope has no service on
 * this node); any other target is returned as it is.
 */
export function resolveTarget(caller: ProcessContext | Node, target: Target): Destination {
  if (typeof target !== 'object' || target === null || target instanceof Pid || !hasRegistryKey(target)) return target as Destination;
  if (!isRegistryName(target)) throw new InvalidArgumentError('target', 'expected { global: name }, { scope, name } or { via: NameService, name }');
  const name = nameInService(target);
  const pid = serviceOf(nodeOf(caller), target).whereisName(name);
  if (pid === undefined) throw new NoProcError(formatName(target), { name, scope: scopeOf(target) });
  return pid;
}
