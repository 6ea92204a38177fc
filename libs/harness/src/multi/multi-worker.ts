// A multi-mode worker process: runs several sdnode nodes in one Node.js process, each on its own
// loopback address over real ZeroMQ, for the harness (multi-backend.ts), which starts it with
// child_process.fork and talks to it over the IPC channel (protocol.ts). It exits when that
// channel closes (the test process ended or let go of it).
import type { WorkerMessage, WorkerRequest } from './protocol.js';
import { raiseZmqSocketLimit } from './socket-limit.js';
import { NodeOutput, WorkerNode } from './worker-node.js';

// Every node holds a Router, a Dealer per connection and their monitor sockets: far more than
// libzmq's default of 1023 sockets per context once tens of nodes share it.
raiseZmqSocketLimit();

const nodes = new Map<string, WorkerNode>();
const starting = new Set<string>();

function send(message: WorkerMessage): void {
  if (process.connected) process.send!(message);
}

function errorOf(error: unknown): { name: string; message: string; code?: string } {
  const e = error as { name?: unknown; message?: unknown; code?: unknown };
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'start': {
      const { spec } = request;
      if (nodes.has(spec.name) || starting.has(spec.name)) throw new Error(`${spec.name} already runs in this worker`);
      starting.add(spec.name);
      try {
        const output = new NodeOutput((line) => send({ t: 'line', node: spec.name, line }), spec.logLevel);
        const node = await WorkerNode.start(
          spec,
          output,
          (status) => {
            nodes.delete(spec.name);
            send({ t: 'ended', node: spec.name, status });
          },
          () => nodes.size,
        );
        nodes.set(spec.name, node);
        return { address: node.node.address, creation: node.node.creation };
      } finally {
        starting.delete(spec.name);
      }
    }
    case 'kill':
      await nodes.get(request.name)?.kill();
      return null;
    case 'stop':
      await nodes.get(request.name)?.stop();
      return null;
    case 'info':
      return { pid: process.pid, nodes: [...nodes.keys()], memory: process.memoryUsage() };
  }
}

process.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (value) => send({ t: 'reply', id: request.id, ok: true, value }),
    (error: unknown) => send({ t: 'reply', id: request.id, ok: false, error: errorOf(error) }),
  );
});

// The lifeline: the harness's end of the channel closed. Nothing is stopped gracefully.
process.on('disconnect', () => process.exit(0));
// A bug in one node's code must not take the others down silently: say so, then go on.
process.on('uncaughtException', (error) => {
  for (const name of nodes.keys()) send({ t: 'line', node: name, line: JSON.stringify({ level: 50, time: Date.now(), msg: 'uncaught exception in the worker process', err: errorOf(error) }) });
});

send({ t: 'ready', pid: process.pid });
