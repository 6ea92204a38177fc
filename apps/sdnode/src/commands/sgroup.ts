import type { Node } from '@sdnode/core';
import { SGroupFunctions, type ChangeResult, type GroupDefinition, type SGroupsInfo } from '@sdnode/sgroups';
import { InvalidArgumentError, RemoteCallError, UnknownFunctionError, isValidNodeName } from '@sdnode/wire';
import { parseNodeName, parseSeed } from '../options.js';
import { parseRemoteQuery, withHiddenNode, type RemoteQuery, type RemoteQueryFlags } from './remote-query.js';
import { changeJson, formatChange, formatList, listJson, type SGroupOp } from './sgroup-output.js';

export interface SGroupFlags extends RemoteQueryFlags {
  /** The node to ask (name@host, or a bare name that takes the host of --at); create: default the first node listed. */
  on?: string;
  json: boolean;
  /** `--address NAME=ENDPOINT`: where nodes to add listen, when the node asked does not know. */
  address?: Record<string, string>;
}

export interface SGroupIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Exit codes, as the CLI's (cli.ts): 1 the operation failed, 2 bad usage. */
const FAILED = 1;
const USAGE = 2;

/** How long a change may take on the node beyond the connect-and-call timeout: the node's own change timeout (3 s by default). */
const CHANGE_ALLOWANCE_MS = 5000;

const GROUP_NAME = /^[^\s]{1,255}$/;

function groupName(value: string): string {
  if (!GROUP_NAME.test(value)) throw new InvalidArgumentError('GROUP', `an s_group name is 1-255 characters without spaces, got "${value}"`);
  return value;
}

/** The node asked: a bare name takes the host of --at (as with ping and info). */
function targetName(value: string, at: string): string {
  try {
    return parseNodeName(value, at);
  } catch {
    throw new InvalidArgumentError('--on', `"${value}" is not a node name (name@host, or a bare name on the host of --at)`);
  }
}

/** A member: its full name (the host of --at would be the asked node's, not necessarily this one's). */
function memberName(value: string): string {
  if (!isValidNodeName(value)) throw new InvalidArgumentError('NODE', `"${value}" is not a full node name (name@host)`);
  return value;
}

/** `--address NAME=tcp://HOST:PORT` (repeatable). */
export function parseNodeAddress(value: string, previous: Record<string, string> = {}): Record<string, string> {
  try {
    return parseSeed(value, previous);
  } catch {
    throw new InvalidArgumentError('--address', `expected NAME@HOST=tcp://HOST:PORT, got "${value}"`);
  }
}

/** The query for the node asked: --on, or (create) the first node listed. */
function query(flags: SGroupFlags, fallback: string | undefined): RemoteQuery {
  const on = flags.on ?? fallback;
  if (on === undefined) throw new InvalidArgumentError('--on', 'required: the node to ask (a member of the group)');
  return parseRemoteQuery(targetName(on, flags.at), flags);
}

/**
 * An error the node answered (the rpc function threw), printed as the node's own error, e.g.
 * `sdnode: n1@h: n3@h is not a member of s_group g1 (NotGroupMemberError)`; bad arguments the node
 * found exit 2 (usage), everything else 1. Other errors (unreachable node, bad cookie) go on.
 */
function reportRemote(error: unknown, target: string, err: NodeJS.WritableStream): number {
  if (error instanceof UnknownFunctionError) {
    err.write(`sdnode: ${target} runs no s_groups (${error.message})\n`);
    return FAILED;
  }
  if (!(error instanceof RemoteCallError)) throw error;
  const inner = error.error;
  err.write(`sdnode: ${target}: ${inner.message} (${inner.name})\n`);
  return inner.name === 'InvalidArgumentError' ? USAGE : FAILED;
}

async function ask<T>(q: RemoteQuery, io: SGroupIo, fn: (node: Node, target: string) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: number }> {
  try {
    return { ok: true, value: await withHiddenNode(q, fn) };
  } catch (error) {
    return { ok: false, code: reportRemote(error, q.target, io.err) };
  }
}

/**
 * `sdnode sgroup create|add|remove|delete GROUP [NODE...] --on NAME --at ENDPOINT`: the node
 * asked makes the change (agreed with the members it reaches) and answers the new definition and
 * the nodes left out. Exit 0 when the change was made as asked; 1 when nodes could not join
 * (the group changed without them) or the node refused (an error such as NotGroupMemberError).
 */
export async function sgroupChangeCommand(op: SGroupOp, group: string, nodes: readonly string[], flags: SGroupFlags, io: SGroupIo): Promise<number> {
  const name = groupName(group);
  const members = nodes.map(memberName);
  if (op !== 'delete' && members.length === 0) throw new InvalidArgumentError('NODE', 'give at least one node');
  const q = query(flags, op === 'new' ? members[0] : undefined);
  const addresses = flags.address ?? {};
  const answer = await ask(q, io, (node, target) =>
    node.rpc<ChangeResult>(target, SGroupFunctions.change, [op, name, members, addresses], { timeout: q.timeout + CHANGE_ALLOWANCE_MS }),
  );
  if (!answer.ok) return answer.code;
  io.out.write(flags.json ? changeJson(op, q.target, answer.value) : formatChange(op, q.target, answer.value));
  return answer.value.notJoined.length > 0 ? FAILED : 0;
}

/** `sdnode sgroup list --on NAME --at ENDPOINT`: the node's kind and groups, and the other groups it knows of. */
export async function sgroupListCommand(flags: SGroupFlags, io: SGroupIo): Promise<number> {
  const q = query(flags, undefined);
  const answer = await ask(q, io, async (node, target) => {
    const info = await node.rpc<SGroupsInfo>(target, SGroupFunctions.info, [], { timeout: q.timeout });
    const known = await node.rpc<GroupDefinition[]>(target, SGroupFunctions.groups, [], { timeout: q.timeout });
    return { info, known };
  });
  if (!answer.ok) return answer.code;
  io.out.write(flags.json ? listJson(answer.value.info, answer.value.known) : formatList(answer.value.info, answer.value.known));
  return 0;
}
