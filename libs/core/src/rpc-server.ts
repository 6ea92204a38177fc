import { InvalidArgumentError, RemoteCallError, UnknownFunctionError, errorFromWire, isWireError, type WireError } from '@sdnode/wire';
import { defineProcess } from './process-type.js';
import { isCallMessage, type CallMessage } from './signals.js';
import type { ProcessContext } from './process-context.js';

/** A function other nodes may call with `node.rpc(thisNode, name, args)`. */
export type RpcFunction = (...args: any[]) => unknown;

/** The registered name of the rpc server process on every node. */
export const RPC_SERVER_NAME = 'sdnode_rpc';

/** What the rpc server answers: the value, or the typed error (encodable). */
export type RpcAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: WireError };

export interface RpcRequest {
  readonly fn: string;
  readonly args: readonly unknown[];
}

export function isRpcRequest(value: unknown): value is RpcRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as RpcRequest;
  return typeof v.fn === 'string' && Array.isArray(v.args);
}

/**
 * The rpc server: a system process per node, registered as `sdnode_rpc`, answering call requests
 * `{fn, args}` with the registered function's result. Each request runs on its own: an async
 * function does not hold up the next request (the server never becomes busy); the reply is sent
 * when the function settles. Errors become RemoteCallError, unknown names UnknownFunctionError.
 */
export const RpcServer = defineProcess('sdnode.rpc_server', {
  init(_ctx: ProcessContext, lookup: (name: string) => RpcFunction | undefined) {
    return lookup;
  },
  handle(ctx, msg, lookup) {
    if (isCallMessage(msg)) serve(ctx, msg, lookup);
    return lookup;
  },
});

function serve(ctx: ProcessContext, msg: CallMessage, lookup: (name: string) => RpcFunction | undefined): void {
  const node = ctx.node.name;
  if (!isRpcRequest(msg.request)) {
    answer(ctx, msg, { ok: false, error: new InvalidArgumentError('rpc request', 'expected { fn, args }').toWire() });
    return;
  }
  const { fn, args } = msg.request;
  const f = lookup(fn);
  if (f === undefined) {
    answer(ctx, msg, { ok: false, error: new UnknownFunctionError(fn, node).toWire() });
    return;
  }
  const failed = (e: unknown): RpcAnswer => ({ ok: false, error: new RemoteCallError(node, fn, describe(e)).toWire() });
  let result: unknown;
  try {
    result = f(...args);
  } catch (e) {
    answer(ctx, msg, failed(e));
    return;
  }
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    (result as PromiseLike<unknown>).then(
      (value) => answer(ctx, msg, { ok: true, value }),
      (e: unknown) => answer(ctx, msg, failed(e)),
    );
  } else {
    answer(ctx, msg, { ok: true, value: result });
  }
}

function answer(ctx: ProcessContext, msg: CallMessage, value: RpcAnswer): void {
  try {
    ctx.reply(msg, value);
  } catch (e) {
    // The value could not be encoded for the caller's node: say so instead of leaving it waiting.
    if (value.ok) {
      const fn = (msg.request as RpcRequest).fn;
      ctx.reply(msg, { ok: false, error: new RemoteCallError(ctx.node.name, fn, describe(e)).toWire() });
    } else {
      ctx.log.warn({ err: e }, 'rpc reply could not be sent');
    }
  }
}

function describe(e: unknown): { name: string; message: string } {
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'NonError', message: String(e) };
}

/** Turn the rpc server's answer into the value, or throw the typed error. */
export function unwrapRpcAnswer(answer: unknown): unknown {
  if (typeof answer === 'object' && answer !== null) {
    const a = answer as RpcAnswer;
    if (a.ok === true) return a.value;
    if (a.ok === false && isWireError(a.error)) throw errorFromWire(a.error);
  }
  throw new InvalidArgumentError('rpc answer', 'malformed answer from the rpc server');
}
