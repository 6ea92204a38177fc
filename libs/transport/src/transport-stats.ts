import type { TransportStats } from './transport.js';

export function emptyStats(): TransportStats {
  return {
    framesSent: 0,
    framesReceived: 0,
    batchesSent: 0,
    batchesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    badFrames: 0,
    handshakesRefused: 0,
    framesDropped: 0,
    overloads: 0,
  };
}
