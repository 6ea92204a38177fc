import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';

/** Bytes of the buffer an adopted socket reads into (Node.js reads up to 64 KiB at a time). */
export const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Reads of a socket a `net.Server` accepted, made into reads into one reused buffer: the socket's
 * `onread` option, which Node.js (20) offers on the sockets it creates (`new net.Socket`,
 * `net.connect`) but not on those a server hands out. Through the Readable stream, every read
 * costs a fresh ArrayBuffer and Buffer, and the stream's `maybeReadMore` tick; with `onread` the
 * kernel's bytes land in `buffer` and `onRead(length)` runs, nothing else (bench/README.md,
 * "Remote call", step 25: ~340 B per remote call on the caller, whose replies come in on a socket
 * its server accepted).
 *
 * How: the server pauses new connections (`pauseOnConnect`, so the accepted socket never starts
 * reading), and a new `net.Socket` is made over the accepted socket's handle with `onread`; the
 * accepted socket lets go of the handle and is destroyed without it (which only takes it off the
 * server's count of connections). The new socket is the connection from then on.
 *
 * RISK: this uses what Node.js does not document: the `_handle` property of a socket and the
 * `handle` option of the Socket constructor (both marked private in lib/net.js; the way
 * `net.Server` itself wraps accepted handles). A Node.js version that changes them could break
 * it, so everything is checked and any surprise falls back to the ordinary reads: `adopt` returns
 * undefined (the accepted socket untouched: resume it and read its 'data'). The spec
 * (accepted-socket.spec.ts) checks the mechanism itself on the running Node.js.
 */
export function adoptAccepted(socket: Socket, buffer: Buffer, onRead: (length: number) => void): Socket | undefined {
  const inner = socket as unknown as { _handle?: unknown };
  const handle = inner._handle;
  if (typeof handle !== 'object' || handle === null) return undefined;
  const stream = handle as { readStart?: unknown; readStop?: unknown; useUserBuffer?: unknown; reading?: unknown };
  if (typeof stream.readStart !== 'function' || typeof stream.useUserBuffer !== 'function' || stream.reading === true) return undefined;
  if (socket.destroyed || socket.readableFlowing === true) return undefined;
  let adopted: Socket;
  try {
    const options: SocketConstructorOpts & { handle: unknown; onread: OnReadOpts } = {
      handle,
      readable: true,
      writable: true,
      allowHalfOpen: false,
      onread: {
        buffer,
        callback: (length: number): boolean => {
          onRead(length);
          return true;
        },
      },
    };
    adopted = new Socket(options);
  } catch {
    return undefined;
  }
  // The accepted socket lets go of the handle; destroyed without one, it closes nothing and only
  // leaves the server's count of connections.
  inner._handle = null;
  socket.destroy();
  return adopted;
}
