import { SdnodeError } from '@sdnode/wire';

/** What was wrong with the bytes a ZMTP peer sent (the `reason` of a ZmtpProtocolError). */
export type ZmtpErrorReason =
  /** The greeting does not start with the ZMTP signature (not ZeroMQ, or ZMTP 1.0). */
  | 'signature'
  /** A ZMTP major version below 3 (this implementation does not downgrade). */
  | 'version'
  /** The peer's security mechanism is not the one we announced (NULL). */
  | 'mechanism'
  /** Reserved flag bits set, or MORE on a command frame. */
  | 'flags'
  /** A frame, a message or a command above the limit, or with more parts than allowed. */
  | 'too_large'
  /** A command frame whose body is not `name-size name data`. */
  | 'command'
  /** READY metadata that is not a list of `name value` properties, or without a Socket-Type. */
  | 'metadata'
  /** The peer's socket type cannot talk to ours (ZMTP's table of valid combinations). */
  | 'socket_type'
  /** A message before the handshake ended, or a handshake command other than READY or ERROR. */
  | 'unexpected'
  /** The peer's routing id is already used by another live connection. */
  | 'identity'
  /** The peer sent ERROR (a fatal error in its eyes). */
  | 'peer_error'
  /** The handshake did not finish in time. */
  | 'timeout';

/**
 * A ZMTP peer broke the protocol (or refused us with ERROR). The connection it came on is closed;
 * nothing else is affected. Never thrown out of an event handler: delivered to the connection's
 * owner, which counts and logs it.
 */
export class ZmtpProtocolError extends SdnodeError {
  readonly code = 'EZMTP';

  constructor(
    readonly reason: ZmtpErrorReason,
    detail: string,
  ) {
    super(`ZMTP protocol error (${reason}): ${detail}`, { reason, detail });
  }
}
