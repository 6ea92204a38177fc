export { Pid, isPid, parsePid } from './pid.js';
export { Ref, isRef } from './ref.js';
export { type NodeName, isValidNodeName, nodeHost } from './node-name.js';
export type { Term } from './term.js';
export {
  type ExitReason,
  type ErrorInfo,
  ExitReasons,
  errorInfo,
  isExitReason,
  isNormalExit,
  formatExitReason,
} from './exit-reason.js';
export * from './errors/index.js';
export { knownErrorCodes } from './errors/error-registry.js';
export * from './frames.js';
export {
  FrameCodec,
  type DecodedBatch,
  type FrameCodecOptions,
  type FrameCodecStats,
  type FrameDecodeError,
  type SharedBatch,
} from './codec/frame-codec.js';
export { checkSendable } from './codec/sendability.js';
export { checkFrame, frameFromArray, frameToArray, schemaOfKind, schemaOfOp, FRAME_KINDS } from './codec/frame-registry.js';
export type { FrameSchema } from './codec/frame-schema.js';
export { checkExitReason, type FieldProblem } from './codec/field-checks.js';
export { REFUSE_REASONS } from './codec/handshake-schemas.js';
export { SdnodeTag, StandardTag } from './codec/cbor-tags.js';
export { DEFAULT_LIMITS, FieldLimits, type WireLimits } from './codec/wire-limits.js';
export { TermCodec } from './codec/term-codec.js';
