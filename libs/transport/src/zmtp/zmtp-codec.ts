import { ZmtpProtocolError } from './zmtp-errors.js';

/**
 * The ZMTP 3.x wire forms (zeromq/rfc 23 and 37): the 64-octet greeting, frames (flags, a short
 * or long size, a body), commands (a frame with the COMMAND flag: name-size, name, data) and the
 * NULL mechanism's READY metadata (name-size, name, 4-octet value-size, value). Encoders here;
 * the incremental decoder is ZmtpDecoder.
 */

export const GREETING_BYTES = 64;
/** Signature (10) and major version (1): enough to tell a ZMTP 3 peer from anything else. */
export const GREETING_PREFIX_BYTES = 11;
export const MECHANISM_OFFSET = 12;
export const MECHANISM_BYTES = 20;

export const FLAG_MORE = 0x01;
export const FLAG_LONG = 0x02;
export const FLAG_COMMAND = 0x04;
/** Bits 7-3 are reserved and must be zero. */
export const RESERVED_FLAGS = 0xf8;

/** Bodies up to this size travel in a short frame (one size octet). */
export const SHORT_FRAME_MAX = 255;

export type ZmtpSocketType = 'REQ' | 'REP' | 'DEALER' | 'ROUTER' | 'PUB' | 'XPUB' | 'SUB' | 'XSUB' | 'PUSH' | 'PULL' | 'PAIR';

/** ZMTP's table of valid socket type combinations (rfc 37, "The Socket-Type Property"). */
const COMPATIBLE: Readonly<Record<ZmtpSocketType, readonly ZmtpSocketType[]>> = {
  REQ: ['REP', 'ROUTER'],
  REP: ['REQ', 'DEALER'],
  DEALER: ['REP', 'DEALER', 'ROUTER'],
  ROUTER: ['REQ', 'DEALER', 'ROUTER'],
  PUB: ['SUB', 'XSUB'],
  XPUB: ['SUB', 'XSUB'],
  SUB: ['PUB', 'XPUB'],
  XSUB: ['PUB', 'XPUB'],
  PUSH: ['PULL'],
  PULL: ['PUSH'],
  PAIR: ['PAIR'],
};

export function socketTypesCompatible(ours: ZmtpSocketType, theirs: string): boolean {
  return (COMPATIBLE[ours] as readonly string[]).includes(theirs);
}

/** The mechanism this implementation speaks. See ZmtpConnection for why CURVE is not offered. */
export const NULL_MECHANISM = 'NULL';

/**
 * Our whole greeting, sent at once (rfc 37: a peer that does not downgrade sends all 64 octets
 * and expects 64): signature %xFF, 8 zero octets of padding, %x7F; version 3.minor; the mechanism
 * null-padded to 20 octets; as-server 0 (NULL has no roles); 31 zero octets of filler.
 */
export function encodeGreeting(minor = 1, mechanism = NULL_MECHANISM): Buffer {
  const greeting = Buffer.alloc(GREETING_BYTES);
  greeting[0] = 0xff;
  greeting[9] = 0x7f;
  greeting[10] = 3;
  greeting[11] = minor;
  greeting.write(mechanism, MECHANISM_OFFSET, MECHANISM_BYTES, 'latin1');
  return greeting;
}

/** Bytes of the flags and size fields of a frame whose body has `size` bytes. */
export function frameHeaderBytes(size: number): 2 | 9 {
  return size <= SHORT_FRAME_MAX ? 2 : 9;
}

/**
 * Write a frame header at `offset`: the flags (LONG added for bodies above 255 bytes) and the
 * size. Returns the number of bytes written (2 or 9).
 */
export function writeFrameHeader(target: Uint8Array, offset: number, flags: number, size: number): 2 | 9 {
  if (size <= SHORT_FRAME_MAX) {
    target[offset] = flags;
    target[offset + 1] = size;
    return 2;
  }
  target[offset] = flags | FLAG_LONG;
  const high = Math.floor(size / 0x1_0000_0000);
  const low = size >>> 0;
  target[offset + 1] = high >>> 24;
  target[offset + 2] = (high >>> 16) & 0xff;
  target[offset + 3] = (high >>> 8) & 0xff;
  target[offset + 4] = high & 0xff;
  target[offset + 5] = low >>> 24;
  target[offset + 6] = (low >>> 16) & 0xff;
  target[offset + 7] = (low >>> 8) & 0xff;
  target[offset + 8] = low & 0xff;
  return 9;
}

/** Bytes on the wire of a message with these parts. */
export function messageWireBytes(parts: readonly Uint8Array[]): number {
  let total = 0;
  for (const part of parts) total += frameHeaderBytes(part.byteLength) + part.byteLength;
  return total;
}

/** One message (one or more frames, MORE on all but the last) copied into one buffer. */
export function encodeMessage(parts: readonly Uint8Array[]): Buffer {
  if (parts.length === 0) throw new RangeError('a ZMTP message has at least one frame');
  const out = Buffer.allocUnsafe(messageWireBytes(parts));
  let offset = 0;
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    const part = parts[i]!;
    offset += writeFrameHeader(out, offset, i < last ? FLAG_MORE : 0, part.byteLength);
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A command frame: name-size, name (1 to 255 ASCII letters), data. */
export function encodeCommand(name: string, data: Uint8Array = EMPTY): Buffer {
  if (name.length === 0 || name.length > 255) throw new RangeError(`bad ZMTP command name "${name}"`);
  const bodySize = 1 + name.length + data.byteLength;
  const header = frameHeaderBytes(bodySize);
  const out = Buffer.allocUnsafe(header + bodySize);
  writeFrameHeader(out, 0, FLAG_COMMAND, bodySize);
  out[header] = name.length;
  out.write(name, header + 1, 'latin1');
  out.set(data, header + 1 + name.length);
  return out;
}

/** Metadata properties as READY carries them: name-size (1 octet), name, value-size (4 octets), value. */
export function encodeMetadata(properties: Iterable<readonly [string, Uint8Array]>): Buffer {
  const chunks: Buffer[] = [];
  for (const [name, value] of properties) {
    if (name.length === 0 || name.length > 255) throw new RangeError(`bad ZMTP property name "${name}"`);
    const head = Buffer.allocUnsafe(1 + name.length + 4);
    head[0] = name.length;
    head.write(name, 1, 'latin1');
    head.writeUInt32BE(value.byteLength, 1 + name.length);
    chunks.push(head, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks);
}

/** The NULL mechanism's READY command with Socket-Type and, when given, Identity. */
export function encodeReady(socketType: ZmtpSocketType, identity?: Uint8Array): Buffer {
  const properties: Array<readonly [string, Uint8Array]> = [['Socket-Type', Buffer.from(socketType, 'latin1')]];
  if (identity !== undefined) properties.push(['Identity', identity]);
  return encodeCommand('READY', encodeMetadata(properties));
}

/** The ERROR command: a reason of at most 255 printable octets. */
export function encodeErrorCommand(reason: string): Buffer {
  const text = Buffer.from(reason.slice(0, 255), 'latin1');
  const data = Buffer.allocUnsafe(1 + text.byteLength);
  data[0] = text.byteLength;
  text.copy(data, 1);
  return encodeCommand('ERROR', data);
}

/** PONG echoing a PING's context (ZMTP 3.1 heartbeats). */
export function encodePong(context: Uint8Array): Buffer {
  return encodeCommand('PONG', context);
}

export interface ZmtpCommand {
  readonly name: string;
  readonly data: Buffer;
}

/** Split a command body into name and data. */
export function parseCommand(body: Buffer): ZmtpCommand | ZmtpProtocolError {
  if (body.byteLength === 0) return new ZmtpProtocolError('command', 'empty command frame');
  const nameSize = body[0]!;
  if (nameSize === 0 || 1 + nameSize > body.byteLength) return new ZmtpProtocolError('command', `command name of ${nameSize} bytes in a body of ${body.byteLength}`);
  return { name: body.toString('latin1', 1, 1 + nameSize), data: body.subarray(1 + nameSize) };
}

/** Parse READY metadata; property names are case-insensitive, so they come back in lower case. */
export function parseMetadata(data: Buffer): Map<string, Buffer> | ZmtpProtocolError {
  const properties = new Map<string, Buffer>();
  let offset = 0;
  while (offset < data.byteLength) {
    const nameSize = data[offset]!;
    if (nameSize === 0) return new ZmtpProtocolError('metadata', 'empty property name');
    if (offset + 1 + nameSize + 4 > data.byteLength) return new ZmtpProtocolError('metadata', 'truncated property');
    const name = data.toString('latin1', offset + 1, offset + 1 + nameSize).toLowerCase();
    offset += 1 + nameSize;
    const valueSize = data.readUInt32BE(offset);
    offset += 4;
    if (valueSize > 0x7fff_ffff || offset + valueSize > data.byteLength) return new ZmtpProtocolError('metadata', `property ${name} of ${valueSize} bytes does not fit`);
    properties.set(name, data.subarray(offset, offset + valueSize));
    offset += valueSize;
  }
  return properties;
}

/** The reason an ERROR command carries (its printable text, or a note that it has none). */
export function parseErrorReason(data: Buffer): string {
  if (data.byteLength === 0) return '(no reason)';
  const size = Math.min(data[0]!, data.byteLength - 1);
  return data.toString('latin1', 1, 1 + size).replace(/[^\x20-\x7e]/g, '?');
}

const EMPTY = new Uint8Array(0);
