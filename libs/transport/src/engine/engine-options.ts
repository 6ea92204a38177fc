import { randomInt } from 'node:crypto';
import { InvalidArgumentError, isValidNodeName } from '@sdnode/wire';
import type { TransportOptions } from '../transport.js';

export const DEFAULT_NET_TICK_TIME = 60_000;
export const DEFAULT_HANDSHAKE_TIMEOUT = 7_000;
export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_BYTES = 256 * 1024;

/** The numeric limits of a transport, with defaults applied and checked. */
export interface EngineLimits {
  readonly netTickTime: number;
  readonly tickInterval: number;
  readonly handshakeTimeout: number;
  readonly maxQueueBytes: number;
  readonly maxMessageBytes: number;
  readonly maxBatchBytes: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(name, `must be a positive number, got ${String(value)}`);
  }
  return value;
}

function byteSize(name: string, value: number | undefined, fallback: number): number {
  const size = positive(name, value, fallback);
  if (!Number.isInteger(size) || size < 64) throw new InvalidArgumentError(name, `must be an integer number of bytes >= 64, got ${String(value)}`);
  return size;
}

/** Check the options every transport takes; throws InvalidArgumentError. */
export function resolveLimits(options: TransportOptions, maxBatchBytes?: number): EngineLimits {
  if (!isValidNodeName(options.name)) throw new InvalidArgumentError('name', `"${String(options.name)}" is not name@host`);
  if (typeof options.cookie !== 'string' || options.cookie.length === 0) throw new InvalidArgumentError('cookie', 'must be a non-empty string');
  if (options.creation !== undefined && (!Number.isInteger(options.creation) || options.creation < 0 || options.creation > 0xffffffff)) {
    throw new InvalidArgumentError('creation', 'must be an integer in 0..2^32-1');
  }
  const netTickTime = positive('netTickTime', options.netTickTime, DEFAULT_NET_TICK_TIME);
  const maxMessageBytes = byteSize('maxMessageBytes', options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES);
  return {
    netTickTime,
    tickInterval: netTickTime / 4,
    handshakeTimeout: positive('handshakeTimeout', options.handshakeTimeout, DEFAULT_HANDSHAKE_TIMEOUT),
    maxQueueBytes: byteSize('maxQueueBytes', options.maxQueueBytes, DEFAULT_MAX_QUEUE_BYTES),
    maxMessageBytes,
    maxBatchBytes: Math.min(maxMessageBytes, byteSize('maxBatchBytes', maxBatchBytes, DEFAULT_MAX_BATCH_BYTES)),
  };
}

/** A fresh creation number: random, so every start of a node gets another one. */
export function newCreation(): number {
  return randomInt(1, 2 ** 31);
}
