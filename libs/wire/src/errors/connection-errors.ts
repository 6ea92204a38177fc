import { SdnodeError } from './sdnode-error.js';

/** The peer failed the cookie challenge (or we failed its): the connection is refused. */
export class BadCookieError extends SdnodeError {
  readonly code = 'EBADCOOKIE';
  constructor(readonly node: string) {
    super(`cookie challenge failed with node ${node}`, { node });
  }
}

/** The handshake with a node failed for a reason other than the cookie. */
export class HandshakeError extends SdnodeError {
  readonly code = 'EHANDSHAKE';
  constructor(readonly node: string, reason: string) {
    super(`handshake with ${node} failed: ${reason}`, { node, reason });
  }
}

/** No address is known for a node name. */
export class UnresolvableNodeError extends SdnodeError {
  readonly code = 'EUNRESOLVABLE';
  constructor(readonly node: string) {
    super(`no address known for node ${node}`, { node });
  }
}

/** The outbound queue to a peer exceeded its bound; the connection was dropped. */
export class PeerOverloadError extends SdnodeError {
  readonly code = 'EPEEROVERLOAD';
  constructor(readonly node: string, readonly queuedBytes: number, readonly limit: number) {
    super(`outbound queue to ${node} exceeded ${limit} bytes`, { node, queuedBytes, limit });
  }
}

/** A connection was refused by the peer's policy (e.g. not allowed, duplicate name). */
export class ConnectionRefusedError extends SdnodeError {
  readonly code = 'ECONNREFUSEDBYPEER';
  constructor(readonly node: string, reason: string) {
    super(`connection to ${node} refused: ${reason}`, { node, reason });
  }
}
