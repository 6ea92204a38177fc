import { createRequire } from 'node:module';

interface ZmqContext {
  maxSockets: number;
  readonly maxSocketsLimit: number;
}

/**
 * Raise libzmq's limit of sockets per context (default 1023) to its maximum in this process: every
 * node holds a Router, and per connection a Dealer and its monitor sockets, so tens of nodes in
 * one process (or a driver talking to hundreds) pass the default. libzmq reads the limit when the
 * context makes its first socket: call this before any node starts. zeromq is loaded from where
 * @sdnode/transport finds it, so that it is the very module (and context) the transport uses.
 */
export function raiseZmqSocketLimit(): number | undefined {
  let context: ZmqContext;
  try {
    let from = import.meta.url;
    try {
      from = import.meta.resolve('@sdnode/transport');
    } catch {
      // (a loader without import.meta.resolve: this package's own resolution, the same in a workspace)
    }
    context = (createRequire(from)('zeromq') as { context: ZmqContext }).context;
  } catch {
    return undefined; // zeromq not found from here: the transport will say so when it starts
  }
  if (context.maxSockets < context.maxSocketsLimit) context.maxSockets = context.maxSocketsLimit;
  return context.maxSockets;
}
