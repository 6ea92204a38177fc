import {
  FLAG_COMMAND,
  FLAG_LONG,
  FLAG_MORE,
  GREETING_BYTES,
  MECHANISM_BYTES,
  MECHANISM_OFFSET,
  NULL_MECHANISM,
  RESERVED_FLAGS,
  SHORT_FRAME_MAX,
  parseCommand,
  parseErrorReason,
  parseMetadata,
  socketTypesCompatible,
  type ZmtpCommand,
  type ZmtpSocketType,
} from './zmtp-codec.js';
import { ZmtpProtocolError } from './zmtp-errors.js';

/** Where a ZMTP connection's input is: what the next bytes must be. */
export type ZmtpPhase =
  /** The peer's 64-octet greeting. */
  | 'greeting'
  /** The security handshake (NULL: the peer's READY, or ERROR). */
  | 'handshake'
  /** Messages and commands. */
  | 'traffic'
  /** A protocol error was found (or the peer sent ERROR): the rest of the input is ignored. */
  | 'failed'
  /** The owner stopped the decoder (the connection closed). */
  | 'stopped';

/** The peer as its greeting and READY describe it. */
export interface ZmtpPeer {
  /** The minor version of ZMTP 3 it announced (0 or 1; higher versions are accepted as they are). */
  readonly minor: number;
  readonly socketType: string;
  /** Its Identity property (a ROUTER's routing id for it); empty when it sent none. */
  readonly identity: Buffer;
  /** Every READY property, names in lower case. */
  readonly properties: ReadonlyMap<string, Buffer>;
}

export interface ZmtpDecoderHandler {
  /** The peer's greeting is valid (ZMTP 3.x, the NULL mechanism): send READY now. */
  greeting(minor: number): void;
  /** The peer's READY arrived and its socket type fits ours: the handshake is done. */
  ready(peer: ZmtpPeer): void;
  /** A whole message (every frame of it, in order). The parts may be views of the input chunks. */
  message(parts: Buffer[]): void;
  /** A message of one frame, when given (else `message` gets it as `[body]`): no array per message. */
  frame?(body: Buffer): void;
  /** A command after the handshake other than ERROR (PING, PONG, SUBSCRIBE, CANCEL, unknown). */
  command(command: ZmtpCommand): void;
}

export interface ZmtpDecoderOptions {
  /** Our socket type: the peer's Socket-Type must be a valid partner of it. */
  readonly socketType: ZmtpSocketType;
  /** Largest message (sum of its frame bodies) accepted; a larger one is a protocol error. */
  readonly maxMessageBytes: number;
  /** Most frames in one message (default 1024). */
  readonly maxParts?: number;
  /** Largest command body (default 64 KiB: READY metadata, PING context). */
  readonly maxCommandBytes?: number;
}

const DEFAULT_MAX_PARTS = 1024;
const DEFAULT_MAX_COMMAND_BYTES = 64 * 1024;
const TWO_POW_32 = 0x1_0000_0000;

/**
 * The input side of one ZMTP 3.x connection as an explicit state machine: greeting -> handshake
 * -> traffic, and failed (or stopped) from anywhere. Bytes are pushed as they come off the socket,
 * in chunks of any size and split at any point; complete frames are handed on as views of the
 * chunk that holds them whole (no copy), frames split across chunks are gathered into a buffer of
 * their size (known from the header, checked against the limits before anything is allocated).
 *
 * `push` never throws: bad input makes it return a ZmtpProtocolError (and every later push does
 * nothing), and the owner closes that one connection. Handler callbacks may call `stop()`.
 */
export class ZmtpDecoder {
  private state: ZmtpPhase = 'greeting';
  private readonly greetingBuffer = Buffer.alloc(GREETING_BYTES);
  private greetingHave = 0;
  private minor = 0;
  /** A frame header split across chunks: its bytes so far. */
  private readonly header = Buffer.alloc(9);
  private headerHave = 0;
  /** A frame body split across chunks. */
  private body: Buffer | undefined;
  private bodyHave = 0;
  private bodyFlags = 0;
  /** The frames of a message so far (all with MORE), and their total size. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private readonly maxMessageBytes: number;
  private readonly maxParts: number;
  private readonly maxCommandBytes: number;
  private readonly expectedMechanism: Buffer;
  private lastError: ZmtpProtocolError | undefined;
  /** The input being pushed is reused by the caller afterwards (pushTransient). */
  private transient = false;
  /** That reused input, and the views of short frame bodies right after a 2-byte header in it. */
  private viewSource: Buffer | undefined;
  private views: (Buffer | undefined)[] = [];

  constructor(
    private readonly options: ZmtpDecoderOptions,
    private readonly handler: ZmtpDecoderHandler,
  ) {
    this.maxMessageBytes = options.maxMessageBytes;
    this.maxParts = options.maxParts ?? DEFAULT_MAX_PARTS;
    this.maxCommandBytes = options.maxCommandBytes ?? DEFAULT_MAX_COMMAND_BYTES;
    this.expectedMechanism = Buffer.alloc(MECHANISM_BYTES);
    this.expectedMechanism.write(NULL_MECHANISM, 'latin1');
  }

  get phase(): ZmtpPhase {
    return this.state;
  }

  /** Ignore all further input (the connection is closing). */
  stop(): void {
    if (this.state !== 'failed') this.state = 'stopped';
    this.body = undefined;
    this.parts = [];
  }

  /** Feed the next bytes of the stream. Returns the protocol error that ended the connection, if any. */
  push(chunk: Buffer): ZmtpProtocolError | undefined {
    return this.pushBytes(chunk, chunk.byteLength, false);
  }

  /**
   * `push` of `chunk[0, length)` from a buffer the caller reuses once this returns (a socket's
   * `onread` buffer): nothing that outlives the call refers to it. The frames and commands handed
   * to the handler are views of it, valid during the callback only; the frames of a multi-frame
   * message so far are copied, and so is the whole input until the handshake is done (the peer's
   * READY metadata and identity are kept).
   */
  pushTransient(chunk: Buffer, length: number): ZmtpProtocolError | undefined {
    if (this.state === 'greeting' || this.state === 'handshake') return this.pushBytes(Buffer.from(chunk.subarray(0, length)), length, false);
    return this.pushBytes(chunk, length, true);
  }

  private pushBytes(chunk: Buffer, length: number, transient: boolean): ZmtpProtocolError | undefined {
    this.transient = transient;
    let offset = 0;
    if (this.state === 'greeting') {
      offset = this.greetingInput(chunk);
      if (offset < 0) return this.lastError;
    }
    if (this.state !== 'handshake' && this.state !== 'traffic') return undefined;
    const error = this.frames(chunk, offset, length);
    if (error !== undefined) return this.fail(error);
    return undefined;
  }

  private fail(error: ZmtpProtocolError): ZmtpProtocolError {
    this.state = 'failed';
    this.lastError = error;
    this.body = undefined;
    this.parts = [];
    return error;
  }

  /** Take greeting bytes; returns the offset of the first byte after the greeting, or -1 on error. */
  private greetingInput(chunk: Buffer): number {
    const take = Math.min(GREETING_BYTES - this.greetingHave, chunk.byteLength);
    chunk.copy(this.greetingBuffer, this.greetingHave, 0, take);
    this.greetingHave += take;
    const g = this.greetingBuffer;
    const have = this.greetingHave;
    if (have >= 1 && g[0] !== 0xff) return this.greetingError('signature', `first octet ${hex(g[0]!)}, not %xFF (not a ZMTP peer)`);
    if (have >= 10 && (g[9]! & 1) === 0) return this.greetingError('signature', 'ZMTP 1.0 peer (tenth octet without bit 0)');
    if (have >= 11 && g[10]! < 3) return this.greetingError('version', `ZMTP major version ${g[10]} (3 or higher needed)`);
    if (have >= MECHANISM_OFFSET + MECHANISM_BYTES && !g.subarray(MECHANISM_OFFSET, MECHANISM_OFFSET + MECHANISM_BYTES).equals(this.expectedMechanism)) {
      const name = g.toString('latin1', MECHANISM_OFFSET, MECHANISM_OFFSET + MECHANISM_BYTES).replace(/\0+$/, '').replace(/[^\x20-\x7e]/g, '?');
      return this.greetingError('mechanism', `the peer wants mechanism "${name}", this side speaks ${NULL_MECHANISM}`);
    }
    if (have < GREETING_BYTES) return take;
    this.minor = g[11]!;
    this.state = 'handshake';
    this.handler.greeting(this.minor);
    return take;
  }

  private greetingError(reason: 'signature' | 'version' | 'mechanism', detail: string): -1 {
    this.fail(new ZmtpProtocolError(reason, detail));
    return -1;
  }

  /** The frame loop (handshake and traffic). */
  private frames(chunk: Buffer, start: number, length: number): ZmtpProtocolError | undefined {
    let offset = start;
    while (offset < length) {
      if (this.state !== 'handshake' && this.state !== 'traffic') return undefined;
      // The rest of a body split across chunks.
      if (this.body !== undefined) {
        const body = this.body;
        const take = Math.min(body.byteLength - this.bodyHave, length - offset);
        chunk.copy(body, this.bodyHave, offset, offset + take);
        this.bodyHave += take;
        offset += take;
        if (this.bodyHave < body.byteLength) return undefined;
        this.body = undefined;
        const error = this.frame(this.bodyFlags, body, false);
        if (error !== undefined) return error;
        continue;
      }
      // The header: read in place when the chunk holds it whole, else gathered byte by byte.
      let flags: number;
      let size: number;
      if (this.headerHave === 0 && length - offset >= 2 && ((chunk[offset]! & FLAG_LONG) === 0 || length - offset >= 9)) {
        flags = chunk[offset]!;
        if ((flags & FLAG_LONG) === 0) {
          size = chunk[offset + 1]!;
          offset += 2;
        } else {
          const high = chunk.readUInt32BE(offset + 1);
          if (high >= 0x8000_0000) return new ZmtpProtocolError('too_large', 'frame size of 2^63 or more');
          size = high * TWO_POW_32 + chunk.readUInt32BE(offset + 5);
          offset += 9;
        }
      } else {
        const header = this.header;
        let needed = this.headerHave === 0 || (header[0]! & FLAG_LONG) === 0 ? 2 : 9;
        while (offset < length && this.headerHave < needed) {
          header[this.headerHave++] = chunk[offset++]!;
          if (this.headerHave === 1) {
            const refused = this.checkFlags(header[0]!);
            if (refused !== undefined) return refused;
            needed = (header[0]! & FLAG_LONG) === 0 ? 2 : 9;
          }
        }
        if (this.headerHave < needed) return undefined;
        this.headerHave = 0;
        flags = header[0]!;
        if (needed === 2) size = header[1]!;
        else {
          const high = header.readUInt32BE(1);
          if (high >= 0x8000_0000) return new ZmtpProtocolError('too_large', 'frame size of 2^63 or more');
          size = high * TWO_POW_32 + header.readUInt32BE(5);
        }
      }
      const refused = this.checkFlags(flags) ?? this.checkSize(flags, size);
      if (refused !== undefined) return refused;
      if (length - offset >= size) {
        const body = this.transient && offset === 2 && size <= SHORT_FRAME_MAX ? this.inputView(chunk, size) : chunk.subarray(offset, offset + size);
        offset += size;
        const error = this.frame(flags, body, true);
        if (error !== undefined) return error;
      } else {
        this.body = Buffer.allocUnsafe(size);
        this.bodyHave = 0;
        this.bodyFlags = flags;
      }
    }
    return undefined;
  }

  /**
   * The view of a short frame's body at the start of a reused input buffer (`pushTransient`):
   * made once per size, as the input lands in the same place of the same buffer every time.
   */
  private inputView(chunk: Buffer, size: number): Buffer {
    if (this.viewSource !== chunk) {
      this.viewSource = chunk;
      this.views = [];
    }
    return (this.views[size] ??= chunk.subarray(2, 2 + size));
  }

  /** Flags alone: reserved bits, MORE on a command, a message before the handshake ended. */
  private checkFlags(flags: number): ZmtpProtocolError | undefined {
    if ((flags & RESERVED_FLAGS) !== 0) return new ZmtpProtocolError('flags', `reserved flag bits set (${hex(flags)})`);
    if ((flags & FLAG_COMMAND) !== 0) {
      if ((flags & FLAG_MORE) !== 0) return new ZmtpProtocolError('flags', 'MORE set on a command frame');
      if (this.parts.length > 0) return new ZmtpProtocolError('unexpected', 'a command between the frames of a message');
      return undefined;
    }
    if (this.state === 'handshake') return new ZmtpProtocolError('unexpected', 'a message frame before the handshake ended');
    return undefined;
  }

  /** The size, checked before anything is allocated for the body. */
  private checkSize(flags: number, size: number): ZmtpProtocolError | undefined {
    if ((flags & FLAG_COMMAND) !== 0) {
      return size > this.maxCommandBytes ? new ZmtpProtocolError('too_large', `command of ${size} bytes (limit ${this.maxCommandBytes})`) : undefined;
    }
    if (this.partsBytes + size > this.maxMessageBytes) {
      return new ZmtpProtocolError('too_large', `message of ${this.partsBytes + size} bytes or more (limit ${this.maxMessageBytes})`);
    }
    if (this.parts.length + 1 > this.maxParts) return new ZmtpProtocolError('too_large', `message of more than ${this.maxParts} frames`);
    return undefined;
  }

  /** One complete frame; `ofInput`: a view of the input pushed (not a gathered copy). */
  private frame(flags: number, body: Buffer, ofInput: boolean): ZmtpProtocolError | undefined {
    if ((flags & FLAG_COMMAND) !== 0) return this.commandFrame(body);
    if ((flags & FLAG_MORE) !== 0) {
      // kept until the message's last frame, maybe past this input: a copy when the input is reused
      this.parts.push(ofInput && this.transient ? Buffer.from(body) : body);
      this.partsBytes += body.byteLength;
      return undefined;
    }
    if (this.parts.length === 0) {
      const handler = this.handler;
      if (handler.frame !== undefined) handler.frame(body);
      else handler.message([body]);
      return undefined;
    }
    const parts = this.parts;
    parts.push(body);
    this.parts = [];
    this.partsBytes = 0;
    this.handler.message(parts);
    return undefined;
  }

  private commandFrame(body: Buffer): ZmtpProtocolError | undefined {
    const command = parseCommand(body);
    if (command instanceof ZmtpProtocolError) return command;
    const name = command.name.toUpperCase();
    if (name === 'ERROR') return new ZmtpProtocolError('peer_error', `the peer sent ERROR: ${parseErrorReason(command.data)}`);
    if (this.state === 'traffic') {
      if (name === 'READY') return new ZmtpProtocolError('unexpected', 'READY after the handshake');
      this.handler.command(command);
      return undefined;
    }
    if (name !== 'READY') return new ZmtpProtocolError('unexpected', `command ${command.name} during the NULL handshake (READY or ERROR expected)`);
    const properties = parseMetadata(command.data);
    if (properties instanceof ZmtpProtocolError) return properties;
    const socketType = properties.get('socket-type')?.toString('latin1');
    if (socketType === undefined) return new ZmtpProtocolError('metadata', 'READY without a Socket-Type');
    if (!socketTypesCompatible(this.options.socketType, socketType)) {
      return new ZmtpProtocolError('socket_type', `a ${this.options.socketType} cannot talk to a ${socketType.replace(/[^\x20-\x7e]/g, '?')}`);
    }
    const identity = properties.get('identity');
    if (identity !== undefined && identity.byteLength > 255) return new ZmtpProtocolError('metadata', `Identity of ${identity.byteLength} bytes (at most 255)`);
    this.state = 'traffic';
    this.handler.ready({ minor: this.minor, socketType, identity: Buffer.from(identity ?? EMPTY), properties });
    return undefined;
  }
}

const EMPTY = Buffer.alloc(0);

function hex(byte: number): string {
  return `%x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}
