/**
 * Base of every typed sdnode error. Each condition has its own class with a stable `code`
 * and the node/pid/name it concerns in `details`. Errors are encodable: the codec writes
 * `{code, message, details}` and the receiving node rebuilds the same class (see `errorFromWire`).
 */
export abstract class SdnodeError extends Error {
  abstract readonly code: string;

  constructor(
    message: string,
    /** Serialisable facts about the failure (node, pid, name, limits...). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** The encoded form of an SdnodeError. */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** An error received from another node whose code this node does not know. */
export class RemoteError extends SdnodeError {
  readonly code: string;
  constructor(code: string, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message, details);
    this.code = code;
  }
}
