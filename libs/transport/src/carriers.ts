/**
 * The carriers a production transport can run on. Both speak ZMTP 3 over TCP (the same bytes on
 * the wire, so nodes on different carriers connect to each other) under the same engine:
 * - `zmq`: ZmqTransport, zeromq.js (libzmq; socket I/O on libzmq's own thread; CurveZMQ).
 * - `net`: NetTransport, ZMTP spoken by this process on `node:net` sockets (I/O on the event loop).
 */
export const CARRIERS = ['zmq', 'net'] as const;

export type CarrierName = (typeof CARRIERS)[number];

/** What a node runs on unless told otherwise (chosen by measurement: docs/architecture.md, "Transport"). */
export const DEFAULT_CARRIER: CarrierName = 'net';

export function isCarrierName(value: unknown): value is CarrierName {
  return typeof value === 'string' && (CARRIERS as readonly string[]).includes(value);
}
