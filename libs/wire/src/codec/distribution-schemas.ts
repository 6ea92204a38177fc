import type { Ref } from '../ref.js';
import type { ExitReason } from '../exit-reason.js';
import type { Term } from '../term.js';
import { Pid } from '../pid.js';
import { SdnodeError, type WireError } from '../errors/sdnode-error.js';
import { errorFromWire } from '../errors/error-registry.js';
import { Op, type NodeAddress, type SpawnOptionsOnWire } from '../frames.js';
import {
  checkAddress,
  checkExitReason,
  checkName,
  checkNodeName,
  checkPid,
  checkPidOrName,
  checkRef,
  checkWireError,
  hasOnlyKeys,
  isPlainObject,
  type FieldProblem,
} from './field-checks.js';
import { defineSchema, type FrameSchema } from './frame-schema.js';
import { FieldLimits as L } from './wire-limits.js';

/**
 * Schemas of the distribution frames (ops 16-28). Exit reasons travel as their plain-object form
 * (`{kind, ...}`), spawn options as a plain object with only the keys `link`, `name` and `monitor`, node
 * lists as arrays of `[name, address]` pairs.
 */

function checkSpawnOptions(opts: unknown): FieldProblem {
  if (!isPlainObject(opts) || !hasOnlyKeys(opts, ['link', 'name', 'monitor'])) return 'opts must be {link?, name?, monitor?}';
  if (opts['link'] !== undefined && typeof opts['link'] !== 'boolean') return 'opts.link must be a boolean';
  if (opts['monitor'] !== undefined && typeof opts['monitor'] !== 'boolean') return 'opts.monitor must be a boolean';
  if (opts['name'] !== undefined) return checkName(opts['name'], 'opts.name');
  return undefined;
}

/** Only the options that are set travel (no `undefined` entries). */
function spawnOptionsToWire(opts: SpawnOptionsOnWire): SpawnOptionsOnWire {
  const out: { link?: boolean; name?: string; monitor?: boolean } = {};
  if (opts.link !== undefined) out.link = opts.link;
  if (opts.name !== undefined) out.name = opts.name;
  if (opts.monitor !== undefined) out.monitor = opts.monitor;
  return out;
}

function checkArgs(args: unknown): FieldProblem {
  return Array.isArray(args) && args.length <= L.maxSpawnArgs ? undefined : `args must be an array of at most ${L.maxSpawnArgs} terms`;
}

function checkNodes(nodes: unknown): FieldProblem {
  if (!Array.isArray(nodes) || nodes.length > L.maxNodesEntries) return `nodes must be an array of at most ${L.maxNodesEntries} entries`;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i] as unknown;
    if (!isPlainObject(n)) return `nodes[${i}] must be {name, address}`;
    const bad = checkNodeName(n['name'], `nodes[${i}].name`) ?? checkAddress(n['address'], `nodes[${i}].address`);
    if (bad) return bad;
  }
  return undefined;
}

const NODE_PAIR_BAD: NodeAddress = Object.freeze({ name: '', address: '' });

function nodesFromWire(value: unknown): readonly NodeAddress[] {
  if (!Array.isArray(value)) return value as readonly NodeAddress[]; // rejected by checkNodes
  return value.map((pair: unknown) =>
    Array.isArray(pair) && pair.length === 2 ? { name: pair[0] as string, address: pair[1] as string } : NODE_PAIR_BAD,
  );
}

/** A plain WireError given to encode travels as the typed error it describes (the error tag). */
function resultToWire(result: Pid | WireError): Pid | WireError {
  return result instanceof Pid || result instanceof SdnodeError ? result : errorFromWire(result);
}

/** On the wire the result must be a pid or an error tag; a plain map is not an error. */
const NOT_A_RESULT = Object.freeze({}) as WireError;
function resultFromWire(value: unknown): Pid | WireError {
  return value instanceof Pid || value instanceof SdnodeError ? value : NOT_A_RESULT;
}

const checkPidField = (v: unknown, field: string): FieldProblem => checkPid(v, field);

export const DISTRIBUTION_SCHEMAS: readonly FrameSchema[] = [
  defineSchema<'send'>({
    op: Op.SEND,
    kind: 'send',
    fields: ['to', 'msg'],
    extensible: false,
    termField: 'msg',
    termLevel: 1,
    toArray: (f) => [Op.SEND, f.to, f.msg],
    fromArray: (a) => ({ kind: 'send', to: a[1] as Pid, msg: a[2] as Term }),
    check: (f) => checkPidField(f.to, 'to'),
  }),
  defineSchema<'reg_send'>({
    op: Op.REG_SEND,
    kind: 'reg_send',
    fields: ['from', 'name', 'msg'],
    extensible: false,
    termField: 'msg',
    termLevel: 1,
    toArray: (f) => [Op.REG_SEND, f.from, f.name, f.msg],
    fromArray: (a) => ({ kind: 'reg_send', from: a[1] as Pid, name: a[2] as string, msg: a[3] as Term }),
    check: (f) => checkPidField(f.from, 'from') ?? checkName(f.name, 'name'),
  }),
  defineSchema<'link'>({
    op: Op.LINK,
    kind: 'link',
    fields: ['from', 'to'],
    extensible: false,
    toArray: (f) => [Op.LINK, f.from, f.to],
    fromArray: (a) => ({ kind: 'link', from: a[1] as Pid, to: a[2] as Pid }),
    check: (f) => checkPidField(f.from, 'from') ?? checkPidField(f.to, 'to'),
  }),
  defineSchema<'unlink'>({
    op: Op.UNLINK,
    kind: 'unlink',
    fields: ['from', 'to'],
    extensible: false,
    toArray: (f) => [Op.UNLINK, f.from, f.to],
    fromArray: (a) => ({ kind: 'unlink', from: a[1] as Pid, to: a[2] as Pid }),
    check: (f) => checkPidField(f.from, 'from') ?? checkPidField(f.to, 'to'),
  }),
  defineSchema<'exit'>({
    op: Op.EXIT,
    kind: 'exit',
    fields: ['from', 'to', 'reason'],
    extensible: false,
    termField: 'reason',
    termLevel: 1,
    toArray: (f) => [Op.EXIT, f.from, f.to, f.reason],
    fromArray: (a) => ({ kind: 'exit', from: a[1] as Pid, to: a[2] as Pid, reason: a[3] as ExitReason }),
    check: (f) => checkPidField(f.from, 'from') ?? checkPidField(f.to, 'to') ?? checkExitReason(f.reason, 'reason'),
  }),
  defineSchema<'exit2'>({
    op: Op.EXIT2,
    kind: 'exit2',
    fields: ['from', 'to', 'reason'],
    extensible: false,
    termField: 'reason',
    termLevel: 1,
    toArray: (f) => [Op.EXIT2, f.from, f.to, f.reason],
    fromArray: (a) => ({ kind: 'exit2', from: a[1] as Pid, to: a[2] as Pid, reason: a[3] as ExitReason }),
    check: (f) => checkPidField(f.from, 'from') ?? checkPidField(f.to, 'to') ?? checkExitReason(f.reason, 'reason'),
  }),
  defineSchema<'monitor'>({
    op: Op.MONITOR,
    kind: 'monitor',
    fields: ['from', 'to', 'ref'],
    extensible: false,
    toArray: (f) => [Op.MONITOR, f.from, f.to, f.ref],
    fromArray: (a) => ({ kind: 'monitor', from: a[1] as Pid, to: a[2] as Pid | string, ref: a[3] as Ref }),
    check: (f) => checkPidField(f.from, 'from') ?? checkPidOrName(f.to, 'to') ?? checkRef(f.ref, 'ref'),
  }),
  defineSchema<'demonitor'>({
    op: Op.DEMONITOR,
    kind: 'demonitor',
    fields: ['from', 'to', 'ref'],
    extensible: false,
    toArray: (f) => [Op.DEMONITOR, f.from, f.to, f.ref],
    fromArray: (a) => ({ kind: 'demonitor', from: a[1] as Pid, to: a[2] as Pid | string, ref: a[3] as Ref }),
    check: (f) => checkPidField(f.from, 'from') ?? checkPidOrName(f.to, 'to') ?? checkRef(f.ref, 'ref'),
  }),
  defineSchema<'monitor_down'>({
    op: Op.MONITOR_DOWN,
    kind: 'monitor_down',
    fields: ['from', 'to', 'ref', 'reason'],
    extensible: false,
    termField: 'reason',
    termLevel: 1,
    toArray: (f) => [Op.MONITOR_DOWN, f.from, f.to, f.ref, f.reason],
    fromArray: (a) => ({
      kind: 'monitor_down',
      from: a[1] as Pid | string,
      to: a[2] as Pid,
      ref: a[3] as Ref,
      reason: a[4] as ExitReason,
    }),
    check: (f) =>
      checkPidOrName(f.from, 'from') ?? checkPidField(f.to, 'to') ?? checkRef(f.ref, 'ref') ?? checkExitReason(f.reason, 'reason'),
  }),
  defineSchema<'spawn_request'>({
    op: Op.SPAWN_REQUEST,
    kind: 'spawn_request',
    fields: ['ref', 'from', 'type', 'args', 'opts'],
    extensible: false,
    termField: 'args',
    termLevel: 1,
    toArray: (f) => [Op.SPAWN_REQUEST, f.ref, f.from, f.type, f.args, spawnOptionsToWire(f.opts)],
    fromArray: (a) => ({
      kind: 'spawn_request',
      ref: a[1] as Ref,
      from: a[2] as Pid,
      type: a[3] as string,
      args: a[4] as readonly Term[],
      opts: a[5] as SpawnOptionsOnWire,
    }),
    check: (f) =>
      checkRef(f.ref, 'ref') ?? checkPidField(f.from, 'from') ?? checkName(f.type, 'type') ?? checkArgs(f.args) ?? checkSpawnOptions(f.opts),
  }),
  defineSchema<'spawn_reply'>({
    op: Op.SPAWN_REPLY,
    kind: 'spawn_reply',
    fields: ['ref', 'to', 'result'],
    extensible: false,
    termField: 'result',
    termLevel: 1,
    toArray: (f) => [Op.SPAWN_REPLY, f.ref, f.to, resultToWire(f.result)],
    fromArray: (a) => ({ kind: 'spawn_reply', ref: a[1] as Ref, to: a[2] as Pid, result: resultFromWire(a[3]) }),
    check: (f) =>
      checkRef(f.ref, 'ref') ??
      checkPidField(f.to, 'to') ??
      (checkPid(f.result, 'result') && checkWireError(f.result, 'result') && 'result must be a pid or an error'),
  }),
  defineSchema<'nodes'>({
    op: Op.NODES,
    kind: 'nodes',
    fields: ['nodes'],
    extensible: false,
    toArray: (f) => [Op.NODES, f.nodes.map((n) => [n.name, n.address])],
    fromArray: (a) => ({ kind: 'nodes', nodes: nodesFromWire(a[1]) }),
    check: (f) => checkNodes(f.nodes),
  }),
  defineSchema<'control'>({
    op: Op.CONTROL,
    kind: 'control',
    fields: ['channel', 'body'],
    extensible: false,
    termField: 'body',
    termLevel: 1,
    toArray: (f) => [Op.CONTROL, f.channel, f.body],
    fromArray: (a) => ({ kind: 'control', channel: a[1] as string, body: a[2] as Term }),
    check: (f) => checkName(f.channel, 'channel'),
  }),
];
